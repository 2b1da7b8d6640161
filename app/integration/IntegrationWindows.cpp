#include "IntegrationWindows.h"

#include <QSettings>
#include <QString>

#include <algorithm>

namespace coffer::integration {

namespace {

constexpr const char* kEncryptVerb = "Coffer.Encrypt";

std::string regEscape(const std::string& s)
{
    std::string out;
    for (const char c : s) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c;
    }
    return out;
}

/// QSettings separates keys with '/', and uses "." for a key's default value.
QString settingsKey(const std::string& key, const std::string& name)
{
    QString k = QString::fromStdString(key);
    k.replace(QLatin1Char('\\'), QLatin1Char('/'));
    return k + QLatin1Char('/') + (name.empty() ? QStringLiteral(".") : QString::fromStdString(name));
}

QString settingsGroup(const std::string& key)
{
    QString k = QString::fromStdString(key);
    k.replace(QLatin1Char('\\'), QLatin1Char('/'));
    return k;
}

} // namespace

namespace {

/// A file type Coffer opens: its extension, ProgID, MIME type and name.
struct FileType {
    const char* extension;
    const char* progId;
    const char* mimeType;
    const char* name;
};

constexpr FileType kFileTypes[] = {
    {".coffer", kProgId, "application/x-coffer", "Coffer container"},
    {".age", kAgeProgId, "application/x-age-encrypted", "age encrypted file"},
};

} // namespace

std::vector<RegistryValue> registryTable(const std::string& exe)
{
    const std::string icon = exe + ",0";
    const std::string command = "\"" + exe + "\" \"%1\"";
    std::vector<RegistryValue> t;
    for (const FileType& type : kFileTypes) {
        const std::string ext = type.extension;
        const std::string progId = type.progId;
        // The extension: its ProgID, MIME type, and Coffer among its "Open with" programs.
        t.push_back({ext, "", progId});
        t.push_back({ext, "Content Type", type.mimeType});
        t.push_back({ext + "\\OpenWithProgids", progId, ""});
        // The ProgID: name, icon, and the default "open" verb.
        t.push_back({progId, "", type.name});
        t.push_back({progId + "\\DefaultIcon", "", icon});
        t.push_back({progId + "\\shell", "", "open"});
        t.push_back({progId + "\\shell\\open", "", "Open with Coffer"});
        t.push_back({progId + "\\shell\\open", "Icon", icon});
        t.push_back({progId + "\\shell\\open\\command", "", command});
    }
    // "Encrypt with Coffer" on every file and every folder. Explorer starts one
    // process per selected item; the single-instance hand-off gathers them.
    for (const std::string base : {"*", "Directory"}) {
        const std::string verb = base + "\\shell\\" + kEncryptVerb;
        t.push_back({verb, "", "Encrypt with Coffer..."});
        t.push_back({verb, "Icon", icon});
        t.push_back({verb, "MultiSelectModel", "Player"});
        t.push_back({verb + "\\command", "", command});
    }
    return t;
}

std::vector<std::string> registryOwnedKeys()
{
    std::vector<std::string> keys;
    for (const FileType& type : kFileTypes) {
        keys.push_back(type.extension);
        keys.push_back(type.progId);
    }
    keys.push_back(std::string("*\\shell\\") + kEncryptVerb);
    keys.push_back(std::string("Directory\\shell\\") + kEncryptVerb);
    return keys;
}

std::string renderRegFile(const std::string& exe)
{
    std::string out = "Windows Registry Editor Version 5.00\r\n";
    std::string currentKey;
    for (const auto& v : registryTable(exe)) {
        if (v.key != currentKey) {
            out += "\r\n[" + std::string(kRegistryRoot) + "\\" + v.key + "]\r\n";
            currentKey = v.key;
        }
        out += (v.name.empty() ? std::string("@") : "\"" + regEscape(v.name) + "\"") + "=\"" + regEscape(v.data) +
               "\"\r\n";
    }
    return out;
}

std::string renderUnregFile()
{
    // A .reg file cannot ask who holds an extension now: it deletes .coffer
    // (ours), and of .age only Coffer's "Open with" entry and its ProgID.
    std::string out = "Windows Registry Editor Version 5.00\r\n";
    for (const auto& key : registryOwnedKeys()) {
        if (key == ".age")
            out += "\r\n[" + std::string(kRegistryRoot) + "\\.age\\OpenWithProgids]\r\n\"" + kAgeProgId + "\"=-\r\n";
        else
            out += "\r\n[-" + std::string(kRegistryRoot) + "\\" + key + "]\r\n";
    }
    return out;
}

void writeRegistry(QSettings& classes, const std::string& exe)
{
    const QString ageHolder = classes.value(settingsKey(".age", "")).toString();
    const bool ageTaken = !ageHolder.isEmpty() && ageHolder != QLatin1String(kAgeProgId);
    for (const auto& v : registryTable(exe)) {
        if (ageTaken && v.key == ".age")
            continue; // another program's .age (its ProgID, its type): Coffer is only offered beside it
        classes.setValue(settingsKey(v.key, v.name), QString::fromStdString(v.data));
    }
    classes.sync();
}

namespace {

bool groupIsEmpty(QSettings& classes, const std::string& key)
{
    classes.beginGroup(settingsGroup(key));
    const bool empty = classes.childKeys().isEmpty() && classes.childGroups().isEmpty();
    classes.endGroup();
    return empty;
}

const std::vector<std::string>& parentKeys()
{
    static const std::vector<std::string> keys = {"*", "*\\shell", "Directory", "Directory\\shell"};
    return keys;
}

} // namespace

std::vector<std::string> missingParentKeys(QSettings& classes)
{
    std::vector<std::string> missing;
    for (const auto& key : parentKeys())
        if (groupIsEmpty(classes, key))
            missing.push_back(key);
    return missing;
}

void removeRegistry(QSettings& classes, const std::vector<std::string>& createdParents)
{
    const auto owned = registryOwnedKeys();
    for (const auto& key : owned) {
        const auto type = std::find_if(std::begin(kFileTypes), std::end(kFileTypes),
                                       [&](const FileType& t) { return key == t.extension; });
        if (type != std::end(kFileTypes)) {
            if (classes.value(settingsKey(key, "")).toString() == QLatin1String(type->progId)) {
                classes.remove(settingsGroup(key));
            } else {
                classes.remove(settingsKey(key + "\\OpenWithProgids", type->progId));
                if (groupIsEmpty(classes, key + "\\OpenWithProgids"))
                    classes.remove(settingsGroup(key + "\\OpenWithProgids"));
            }
            continue;
        }
        classes.remove(settingsGroup(key));
    }
    // Deepest first: "*\\shell" before "*".
    for (auto it = parentKeys().rbegin(); it != parentKeys().rend(); ++it)
        if (std::find(createdParents.begin(), createdParents.end(), *it) != createdParents.end() &&
            groupIsEmpty(classes, *it))
            classes.remove(settingsGroup(*it));
    classes.sync();
}

std::string registeredExecutable(QSettings& classes)
{
    const QString command = classes.value(settingsKey(std::string(kProgId) + "\\shell\\open\\command", "")).toString();
    if (!command.startsWith(QLatin1Char('"')))
        return {};
    const auto close = command.indexOf(QLatin1Char('"'), 1);
    return close < 0 ? std::string() : command.mid(1, close - 1).toStdString();
}

} // namespace coffer::integration
