#include "Paths.h"

#include <QCoreApplication>
#include <QStandardPaths>

#include <cstdlib>
#include <system_error>

namespace coffer {

namespace fs = std::filesystem;

namespace {

fs::path envPath(const char* name)
{
    const char* v = std::getenv(name);
    return v && *v ? fs::path(v) : fs::path();
}

} // namespace

fs::path executableDirectory()
{
#if defined(__linux__)
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        return exe.parent_path();
#endif
    if (QCoreApplication::instance())
        return fs::path(QCoreApplication::applicationDirPath().toStdString());
    return fs::current_path();
}

DataLocations resolveDataLocations()
{
    DataLocations loc;
    loc.executableDir = executableDirectory();
    if (const fs::path home = envPath("COFFER_HOME"); !home.empty()) {
        loc.dataDir = home / "data";
        loc.configDir = home / "config";
        loc.tempDir = home / "tmp";
        loc.stateDir = home / "state";
        return loc;
    }
    std::error_code ec;
    if (fs::exists(loc.executableDir / kPortableMarker, ec)) {
        const fs::path data = loc.executableDir / "data";
        loc.portable = true;
        loc.dataDir = data;
        loc.configDir = data / "config";
        loc.tempDir = data / "tmp";
        loc.stateDir = data / "state";
        return loc;
    }
#if defined(__linux__) || defined(__unix__)
    const fs::path home = envPath("HOME");
    fs::path data = envPath("XDG_DATA_HOME");
    if (data.empty())
        data = home / ".local" / "share";
    fs::path config = envPath("XDG_CONFIG_HOME");
    if (config.empty())
        config = home / ".config";
    loc.dataDir = data / "coffer";
    loc.configDir = config / "coffer";
    fs::path state = envPath("XDG_STATE_HOME");
    if (state.empty())
        state = home / ".local" / "state";
    loc.stateDir = state / "coffer";
#else
    const auto base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation).toStdString();
    loc.dataDir = fs::path(base) / "Coffer";
    loc.configDir =
        fs::path(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation).toStdString()) / "Coffer";
    loc.stateDir = loc.dataDir / "state";
#endif
    const fs::path tmp = envPath("TMPDIR");
    loc.tempDir = tmp.empty() ? fs::temp_directory_path(ec) : tmp;
    return loc;
}

} // namespace coffer
