// Helpers for the desktop-integration tests: a throw-away home with its own
// XDG folders (set in this process's environment, so the real tools we run —
// desktop-file-validate, update-mime-database, xdg-mime, gio — see it too), a
// "recorder" executable that writes its arguments to a file, and a snapshot
// of a folder tree with content hashes to prove uninstall leaves no trace.
#pragma once

#include "Integration.h"
#include "TestSupport.h"

#include <QCryptographicHash>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace coffer::test {

namespace fs = std::filesystem;

/// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : m_name(name)
    {
        if (const char* old = std::getenv(name))
            m_old = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv()
    {
        if (m_old)
            ::setenv(m_name.c_str(), m_old->c_str(), 1);
        else
            ::unsetenv(m_name.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string m_name;
    std::optional<std::string> m_old;
};

/// A fake home: HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CONFIG_DIRS (an empty
/// "system" folder unless a test puts a Thunar uca.xml there), COFFER_HOME for
/// the manifest, and xdg-mime forced into its generic (desktop-neutral) mode.
class FakeHome {
public:
    FakeHome() : m_home(m_root / "home")
    {
        set("HOME", m_home.string());
        set("XDG_DATA_HOME", (m_home / ".local/share").string());
        set("XDG_CONFIG_HOME", (m_home / ".config").string());
        set("XDG_CONFIG_DIRS", (m_root.path() / "etc-xdg").string());
        set("XDG_DATA_DIRS", "/usr/local/share:/usr/share");
        set("XDG_CURRENT_DESKTOP", "X-Generic");
        set("COFFER_HOME", (m_home / "coffer-home").string());
        fs::create_directories(m_home);
        fs::create_directories(m_root.path() / "etc-xdg");
    }

    const fs::path& home() const { return m_home; }
    fs::path root() const { return m_root.path(); }
    fs::path dataHome() const { return m_home / ".local/share"; }
    fs::path configHome() const { return m_home / ".config"; }
    fs::path systemConfig() const { return m_root.path() / "etc-xdg"; }

    /// An Environment over this home that points at `exe`.
    integration::Environment environment(const fs::path& exe) const
    {
        integration::Environment env;
        env.dataHome = dataHome();
        env.configHome = configHome();
        env.configDirs = {systemConfig()};
        env.executable = exe;
        env.manifest = m_home / "coffer-home" / "data" / integration::kManifestName;
        return env;
    }

private:
    TempDir m_root;
    fs::path m_home;
    std::vector<std::unique_ptr<ScopedEnv>> m_env;

    void set(const char* name, const std::string& value) { m_env.push_back(std::make_unique<ScopedEnv>(name, value)); }
};

/// Writes an executable shell script at `path` that appends each argument as
/// "[arg]" on its own line to `record`.
inline void writeRecorder(const fs::path& path, const fs::path& record)
{
    writeFile(path,
              "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done >> " + shellQuote(record.string()) + "\n");
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
}

/// Every entry under `root`: relative path -> "d MODE", "l TARGET" or "f MODE SHA256".
inline std::map<std::string, std::string> snapshot(const fs::path& root)
{
    std::map<std::string, std::string> out;
    if (!fs::exists(root))
        return out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path& p = it->path();
        const std::string rel = fs::relative(p, root).string();
        struct stat st {};
        ::lstat(p.c_str(), &st);
        const std::string mode = std::to_string(st.st_mode & 07777);
        if (it->is_symlink())
            out[rel] = "l " + fs::read_symlink(p).string();
        else if (it->is_directory())
            out[rel] = "d " + mode;
        else
            out[rel] = "f " + mode + " " +
                       QCryptographicHash::hash(QByteArray::fromStdString(readFile(p)), QCryptographicHash::Sha256)
                           .toHex()
                           .toStdString();
    }
    return out;
}

/// The differences between two snapshots, one line each (empty if equal).
inline std::string diffSnapshots(const std::map<std::string, std::string>& before,
                                 const std::map<std::string, std::string>& after)
{
    std::string out;
    for (const auto& [path, what] : before) {
        const auto it = after.find(path);
        if (it == after.end())
            out += "gone:    " + path + "\n";
        else if (it->second != what)
            out += "changed: " + path + " (" + what + " -> " + it->second + ")\n";
    }
    for (const auto& [path, what] : after)
        if (!before.count(path))
            out += "new:     " + path + " (" + what + ")\n";
    return out;
}

inline std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
        s.pop_back();
    return s;
}

} // namespace coffer::test
