#include "Integration.h"

#include "FileIO.h"
#include "IntegrationDefaults.h"
#include "IntegrationFiles.h"
#include "IntegrationManifest.h"
#include "IntegrationText.h"
#include "IntegrationWindows.h"
#include "Paths.h"

#include <QCoreApplication>
#include <QFile>
#include <QSettings>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#if defined(Q_OS_WIN)
#include <shlobj.h>
#pragma comment(lib, "shell32")
#endif

namespace coffer::integration {

namespace fs = std::filesystem;

using namespace detail;

namespace {

// ---- Undo: shared by uninstall and by a failed install ---------------------------------------

void undoLinux(const Manifest& m, Report& report)
{
    for (const auto& f : m.files) {
        const fs::path path(f.path);
        if (!existsNoFollow(path))
            continue;
        const auto content = isRegularNoFollow(path) ? readFile(path) : std::nullopt;
        if (content && (sha256Hex(*content) == f.sha256 || content->find(kMarker) != std::string::npos)) {
            std::error_code ec;
            fs::remove(path, ec);
            if (ec)
                report.warnings.push_back("could not remove \"" + f.path + "\": " + ec.message());
            else
                report.done.push_back("removed " + f.path);
        } else {
            report.warnings.push_back("left \"" + f.path + "\" in place: it was changed and is no longer Coffer's");
        }
    }

    if (!m.thunarPath.empty()) {
        const fs::path path = followLink(m.thunarPath);
        if (const auto text = readFile(path)) {
            int removed = 0;
            const std::string rest = removeUcaActions(*text, &removed);
            // A file Coffer made goes when nothing but what it started from is left in
            // it, even if Thunar rewrote it meanwhile (it adds unique-ids on loading).
            if (m.thunarCreated &&
                (sha256Hex(rest) == m.thunarBaseSha256 || ucaActionSignatures(rest) == m.thunarBaseActions)) {
                std::error_code ec;
                fs::remove(path, ec);
                report.done.push_back("removed " + m.thunarPath);
            } else if (removed > 0) {
                if (const auto s = writeFileAtomic(path, rest, modeOf(path, 0644)); !s)
                    report.warnings.push_back(s.error().message);
                else
                    report.done.push_back("removed Coffer's actions from " + m.thunarPath);
            }
        }
    }

    undoDefaultHandlers(m, report);

    if (m.mimeDatabase) {
        const fs::path dir(m.mimeDatabase->dir);
        if (m.mimeDatabase->hadCache) {
            if (const auto err = runTool("update-mime-database", dir))
                report.warnings.push_back(*err);
        } else {
            // There was no MIME cache before: remove what update-mime-database generated.
            const std::set<std::string> keep(m.mimeDatabase->preexisting.begin(), m.mimeDatabase->preexisting.end());
            for (const auto& name : dirEntries(dir)) {
                if (name == "packages" || keep.count(name))
                    continue;
                std::error_code ec;
                fs::remove_all(dir / name, ec);
            }
        }
    }
    if (m.desktopDatabase && m.desktopDatabase->hadCache) {
        if (const auto err = runTool("update-desktop-database", m.desktopDatabase->dir))
            report.warnings.push_back(*err);
    }
    removeCreatedDirs(m.createdDirs);
}

#if defined(Q_OS_WIN)
void notifyShell()
{
    ::SHChangeNotify(SHCNE_ASSOCCHANGED, SHCNF_IDLIST, nullptr, nullptr);
}
#endif

void undo(const Manifest& m, Report& report)
{
    if (m.registry) {
#if defined(Q_OS_WIN)
        QSettings classes(QString::fromLatin1(kRegistryRoot), QSettings::NativeFormat);
        removeRegistry(classes, m.registryCreatedParents);
        notifyShell();
        report.done.push_back("removed Coffer's keys from HKEY_CURRENT_USER\\Software\\Classes");
#else
        report.warnings.push_back("the record names Windows registry keys; remove them on Windows");
#endif
    }
    if (m.platform == "linux")
        undoLinux(m, report);
}

void removeManifest(const fs::path& path, const Manifest& m)
{
    std::error_code ec;
    fs::remove(path, ec);
    fs::path dir = path.parent_path();
    for (int i = 0; i < m.manifestDirLevels && !dir.empty(); ++i, dir = dir.parent_path())
        if (::rmdir(dir.c_str()) != 0)
            break; // not empty: the keyring lives there too
}

// ---- Install steps (Linux) -------------------------------------------------------------------

Status installFiles(const Environment& env, Manifest& m, Report& report)
{
    for (const auto& item : linuxItems()) {
        const fs::path target = baseDir(env, item.base) / item.relPath;
        auto content = renderResource(item.resource, env.executable);
        COFFER_TRY(content);
        if (existsNoFollow(target)) {
            const auto existing = isRegularNoFollow(target) ? readFile(target) : std::nullopt;
            if (!existing || existing->find(kMarker) == std::string::npos) {
                report.warnings.push_back("left \"" + target.string() +
                                          "\" alone: it exists and was not made by Coffer");
                continue;
            }
        }
        COFFER_TRY(ensureDirs(target.parent_path(), m.createdDirs));
        COFFER_TRY(writeFileAtomic(target, *content, item.mode));
        m.files.push_back({target.string(), sha256Hex(*content)});
        report.done.push_back("created " + target.string());
    }
    return Status::success();
}

Status installThunar(const Environment& env, Manifest& m, Report& report)
{
    const fs::path userFile = env.configHome / kThunarRelPath;
    auto block = renderResource(kThunarResource, env.executable);
    COFFER_TRY(block);
    std::string base;
    bool created = false;
    fs::path target = followLink(userFile);
    if (existsNoFollow(userFile)) {
        const auto text = readFile(target);
        if (!text || !isWellFormedUca(*text)) {
            report.warnings.push_back("left \"" + userFile.string() +
                                      "\" alone: it is not a uca.xml Coffer can read; Thunar gets no Coffer action");
            return Status::success();
        }
        base = removeUcaActions(*text); // actions of an install whose record was lost
    } else {
        // Thunar reads the first uca.xml it finds, user's before system's: start
        // from the system one so that its actions ("Open Terminal Here") stay.
        base = emptyUcaFile();
        for (const auto& dir : env.configDirs) {
            if (const auto text = readFile(dir / kThunarRelPath); text && isWellFormedUca(*text)) {
                base = removeUcaActions(*text);
                break;
            }
        }
        created = true;
        COFFER_TRY(ensureDirs(userFile.parent_path(), m.createdDirs));
    }
    const auto merged = mergeUcaActions(base, *block);
    if (!merged) {
        report.warnings.push_back("left \"" + userFile.string() + "\" alone: Coffer's actions could not be merged");
        return Status::success();
    }
    m.thunarPath = userFile.string();
    m.thunarCreated = created;
    m.thunarBaseSha256 = sha256Hex(base);
    m.thunarBaseActions = ucaActionSignatures(base);
    COFFER_TRY(writeFileAtomic(target, *merged, created ? 0644 : modeOf(target, 0644)));
    report.done.push_back((created ? "created " : "added Coffer's action to ") + userFile.string());
    return Status::success();
}

Result<Report> installLinux(const Environment& env, Manifest& m)
{
    Report report;
    m.platform = "linux";
    // What the caches looked like before, so that uninstall can put them back.
    CacheRecord mime{(env.dataHome / "mime").string(), existsNoFollow(env.dataHome / "mime" / "mime.cache"), {}};
    if (!mime.hadCache)
        mime.preexisting = dirEntries(mime.dir);
    const fs::path applications = env.dataHome / "applications";
    const bool hadDesktopCache = existsNoFollow(applications / "mimeinfo.cache");

    auto step = [&](Status s) -> Status {
        if (s)
            return saveManifest(env.manifest, m);
        return s;
    };
    if (env.executable.string().find('%') != std::string::npos)
        report.warnings.push_back("the path of Coffer has a '%' in it, which GLib-based desktops (GNOME, Cinnamon, "
                                  "Xfce) do not accept in a launcher: \"Open with Coffer\" may be missing there; "
                                  "move Coffer to a folder without '%' and run \"coffer integrate install\" again");
    Status s = step(installFiles(env, m, report));
    if (s)
        s = step(installThunar(env, m, report));
    if (s)
        s = step(installDefaultHandlers(env, m, report));
    if (s && env.runTools) {
        m.mimeDatabase = mime;
        s = saveManifest(env.manifest, m);
        if (s) {
            if (const auto err = runTool("update-mime-database", mime.dir))
                report.warnings.push_back(*err + "; .coffer files are recognised by name only until it runs");
            else
                report.done.push_back("updated the MIME database in " + mime.dir);
        }
        if (s && hadDesktopCache) {
            m.desktopDatabase = CacheRecord{applications.string(), true, {}};
            s = saveManifest(env.manifest, m);
            if (s) {
                if (const auto err = runTool("update-desktop-database", applications))
                    report.warnings.push_back(*err);
            }
        }
    }
    if (!s)
        return s.error();
    return report;
}

} // namespace

// ---- Public ------------------------------------------------------------------------------------

fs::path currentExecutable()
{
    if (const char* appImage = std::getenv("APPIMAGE"); appImage && *appImage && fs::path(appImage).is_absolute()) {
        std::error_code ec;
        if (fs::exists(appImage, ec))
            return fs::path(appImage);
    }
#if defined(__linux__)
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        return exe;
#endif
    if (QCoreApplication::instance())
        return fs::path(QCoreApplication::applicationFilePath().toStdString());
    return executableDirectory() / "coffer";
}

Environment Environment::fromSystem()
{
    Environment env;
    const fs::path home = envDir("HOME", fs::path());
    env.dataHome = envDir("XDG_DATA_HOME", home / ".local" / "share");
    env.configHome = envDir("XDG_CONFIG_HOME", home / ".config");
    if (const char* dirs = std::getenv("XDG_CONFIG_DIRS"); dirs && *dirs) {
        std::string all(dirs);
        std::size_t pos = 0;
        while (pos <= all.size()) {
            const auto colon = all.find(':', pos);
            const fs::path dir = all.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
            if (dir.is_absolute())
                env.configDirs.push_back(dir);
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
    }
    if (env.configDirs.empty())
        env.configDirs.push_back("/etc/xdg");
    env.executable = currentExecutable();
    const auto loc = resolveDataLocations();
    env.manifest = loc.dataDir / kManifestName;
    env.portable = loc.portable;
    return env;
}

const std::vector<LinuxItem>& linuxItems()
{
    static const std::vector<LinuxItem> items = {
        {"desktop entry", Base::DataHome, "applications/coffer.desktop", ":/integration/linux/coffer.desktop", 0644,
         true},
        {"MIME type", Base::DataHome, "mime/packages/coffer.xml", ":/integration/linux/coffer-mime.xml", 0644, false},
        {"application icon", Base::DataHome, "icons/hicolor/scalable/apps/coffer.svg",
         ":/integration/linux/icons/coffer.svg", 0644, false},
        {"file icon", Base::DataHome, "icons/hicolor/scalable/mimetypes/application-x-coffer.svg",
         ":/integration/linux/icons/application-x-coffer.svg", 0644, false},
        {"Dolphin service menu", Base::DataHome, "kio/servicemenus/coffer.desktop",
         ":/integration/linux/dolphin-servicemenu.desktop", 0755, true},
        {"Nautilus script", Base::DataHome, "nautilus/scripts/Encrypt with Coffer",
         ":/integration/linux/nautilus-encrypt.sh", 0755, false},
        {"Nemo action", Base::DataHome, "nemo/actions/coffer-encrypt.nemo_action",
         ":/integration/linux/nemo-encrypt.nemo_action", 0644, false},
        // Shell completion where each shell looks for a user's own (docs/CLI.md,
        // "coffer integrate"); zsh has no such folder: the user adds it to fpath.
        {"bash completion", Base::DataHome, "bash-completion/completions/coffer",
         ":/integration/completion/coffer.bash", 0644, false},
        {"zsh completion", Base::DataHome, "zsh/site-functions/_coffer", ":/integration/completion/_coffer", 0644,
         false},
        {"fish completion", Base::ConfigHome, "fish/completions/coffer.fish", ":/integration/completion/coffer.fish",
         0644, false},
    };
    return items;
}

Result<std::string> renderResource(const char* resource, const fs::path& exe)
{
    QFile file(QString::fromLatin1(resource));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Internal, std::string("the template ") + resource + " is missing from the build");
    return fillTemplate(file.readAll().toStdString(), exe.string());
}

Result<Report> install(const Environment& env)
{
    if (!isUsableExecutablePath(env.executable.string()))
        return makeError(ErrorCode::InvalidArgument,
                         "cannot point the file manager at \"" + env.executable.string() + "\" (not an absolute path)");
#if defined(Q_OS_MACOS)
    Report mac;
    mac.warnings.push_back("on macOS, Finder learns about Coffer from the app bundle (Open With, Quick Action); "
                           "there is nothing to install");
    return mac;
#else
    Report report;
    auto previous = loadManifest(env.manifest);
    if (!previous.ok() && previous.error().code != ErrorCode::Damaged)
        return previous.error();
    if (previous.ok() && previous->has_value()) {
        Report old;
        undo(**previous, old);
        report.warnings = old.warnings;
        if ((*previous)->executable != env.executable.string())
            report.done.push_back("replaced the integration for " + (*previous)->executable);
    }

    Manifest m;
    m.executable = env.executable.string();
    m.portable = env.portable;
    if (previous.ok() && previous->has_value())
        m.manifestDirLevels = (*previous)->manifestDirLevels; // the folders made for the first record
    std::vector<std::string> manifestDirs;
    if (const auto s = ensureDirs(env.manifest.parent_path(), manifestDirs, 0700); !s)
        return s.error();
    m.manifestDirLevels += static_cast<int>(manifestDirs.size());

#if defined(Q_OS_WIN)
    m.platform = "windows";
    QSettings classes(QString::fromLatin1(kRegistryRoot), QSettings::NativeFormat);
    m.registry = true;
    m.registryCreatedParents = missingParentKeys(classes);
    if (const auto s = saveManifest(env.manifest, m); !s)
        return s.error();
    writeRegistry(classes, env.executable.string());
    notifyShell();
    if (classes.status() != QSettings::NoError) {
        Report ignored;
        undo(m, ignored);
        removeManifest(env.manifest, m);
        return makeError(ErrorCode::Io, "could not write to HKEY_CURRENT_USER\\Software\\Classes");
    }
    report.done.push_back("registered .coffer and \"Encrypt with Coffer\" under HKEY_CURRENT_USER\\Software\\Classes");
    return report;
#else
    auto done = installLinux(env, m);
    if (!done) {
        Report ignored;
        undo(m, ignored);
        removeManifest(env.manifest, m);
        return done.error();
    }
    for (auto& line : done->done)
        report.done.push_back(std::move(line));
    for (auto& line : done->warnings)
        report.warnings.push_back(std::move(line));
    return report;
#endif
#endif
}

Result<Report> uninstall(const Environment& env)
{
    auto manifest = loadManifest(env.manifest);
    COFFER_TRY(manifest);
    Report report;
    if (!manifest->has_value())
        return report;
    undo(**manifest, report);
    removeManifest(env.manifest, **manifest);
    report.done.push_back("removed the record " + env.manifest.string());
    return report;
}

Result<StatusReport> status(const Environment& env)
{
    StatusReport st;
    st.manifest = env.manifest;
    st.currentExecutable = env.executable;
    st.portable = env.portable;
    auto manifest = loadManifest(env.manifest);
    COFFER_TRY(manifest);
    if (!manifest->has_value())
        return st;
    const Manifest& m = **manifest;
    st.installed = true;
    st.recordedExecutable = m.executable;
    std::error_code ec;
    st.recordedMissing = !fs::exists(st.recordedExecutable, ec);
    st.moved = st.recordedExecutable.lexically_normal() != env.executable.lexically_normal() &&
               (st.recordedMissing || !fs::equivalent(st.recordedExecutable, env.executable, ec));
    for (const auto& f : m.files) {
        ItemStatus item{f.path, "ok"};
        const auto content = isRegularNoFollow(f.path) ? readFile(f.path) : std::nullopt;
        if (!content)
            item.state = "missing";
        else if (sha256Hex(*content) != f.sha256)
            item.state = "changed";
        st.items.push_back(item);
    }
    if (m.mimeAppsChange)
        if (const auto text = readFile(followLink(m.mimeAppsPath)))
            st.defaultHandler = defaultHandler(*text, kMimeType);
    if (!m.thunarPath.empty())
        if (const auto text = readFile(followLink(m.thunarPath)))
            st.thunarActions = static_cast<int>(coffersUcaActionIds(*text).size());
#if defined(Q_OS_WIN)
    if (m.registry) {
        QSettings classes(QString::fromLatin1(kRegistryRoot), QSettings::NativeFormat);
        const std::string registered = registeredExecutable(classes);
        st.items.push_back({fs::path(kRegistryRoot) / kProgId, registered.empty() ? "missing" : "ok"});
    }
#endif
    return st;
}

} // namespace coffer::integration
