// Windows Explorer integration from one table: per-user keys under
// HKEY_CURRENT_USER\Software\Classes for the .coffer extension and its ProgID
// Coffer.Container (icon, "Open with Coffer"), the same for .age files
// (Coffer.AgeFile, taking .age only where no other program has), and an
// "Encrypt with Coffer" verb on every file (*) and folder (Directory). The same table renders a .reg
// file on any OS (tests, `coffer integrate --print-reg`) and is written through
// QSettings, which on Windows is the registry (NativeFormat) and elsewhere an
// INI file that tests inspect.
#pragma once

#include <string>
#include <vector>

class QSettings;

namespace coffer::integration {

inline constexpr const char* kRegistryRoot = "HKEY_CURRENT_USER\\Software\\Classes";
inline constexpr const char* kProgId = "Coffer.Container";
inline constexpr const char* kAgeProgId = "Coffer.AgeFile";

struct RegistryValue {
    std::string key;  // below kRegistryRoot, '\' separated: "Coffer.Container\\shell\\open\\command"
    std::string name; // value name; empty for the key's default value (@)
    std::string data; // REG_SZ
};

/// Every value Coffer writes, for the executable `exe` (a Windows path).
std::vector<RegistryValue> registryTable(const std::string& exe);

/// The keys uninstall deletes with everything below them. ".coffer" and ".age"
/// are deleted only while their default value still names Coffer's ProgID;
/// else only Coffer's entry in their OpenWithProgids goes.
std::vector<std::string> registryOwnedKeys();

/// A regedit file ("Windows Registry Editor Version 5.00", CRLF line ends)
/// adding the table's values, or removing Coffer's keys.
std::string renderRegFile(const std::string& exe);
std::string renderUnregFile();

/// The parent keys of Coffer's verbs ("*", "*\\shell", "Directory", "Directory\\shell")
/// that do not exist yet: install records them so that uninstall removes them
/// again if they are empty by then.
std::vector<std::string> missingParentKeys(QSettings& classes);

/// Writes the table into `classes` (a QSettings rooted at HKCU\Software\Classes),
/// except the default value of ".age" when another program's ProgID holds it:
/// Coffer is then only among its "Open with" programs.
void writeRegistry(QSettings& classes, const std::string& exe);
/// Removes Coffer's keys from `classes`; leaves a .coffer or .age key another
/// program holds. `createdParents` (from missingParentKeys before the install) are
/// removed too when nothing else is left in them.
void removeRegistry(QSettings& classes, const std::vector<std::string>& createdParents = {});
/// The executable the registered "open" command points at, or "" if Coffer is not registered.
std::string registeredExecutable(QSettings& classes);

} // namespace coffer::integration
