#include "Integration.h"

#include "FileIO.h"
#include "IntegrationText.h"
#include "IntegrationWindows.h"
#include "Paths.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#if defined(Q_OS_WIN)
#include <shlobj.h>
#pragma comment(lib, "shell32")
#endif

namespace coffer::integration {

namespace fs = std::filesystem;

namespace {

// ---- Small file helpers ----------------------------------------------------------------------

std::optional<std::string> readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string sha256Hex(const std::string& data)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(data), QCryptographicHash::Sha256).toHex().toStdString();
}

bool existsNoFollow(const fs::path& path)
{
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
}

bool isRegularNoFollow(const fs::path& path)
{
    std::error_code ec;
    return fs::is_regular_file(fs::symlink_status(path, ec));
}

/// A file the user may keep as a link (dotfile managers): changes go to its target.
fs::path followLink(const fs::path& path)
{
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path, ec))) {
        const fs::path real = fs::weakly_canonical(path, ec);
        if (!ec)
            return real;
    }
    return path;
}

/// Writes `content` to `path` under a temporary name, then renames it into place.
Status writeFileAtomic(const fs::path& path, const std::string& content, int mode)
{
    auto out = AtomicOutput::create(path, true, mode);
    COFFER_TRY(out);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(out->fd(), content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ioError(errno, "write", out->partPath());
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(out->fd(), static_cast<mode_t>(mode)) != 0)
        return ioError(errno, "set the permissions of", out->partPath());
    auto committed = out->commit();
    COFFER_TRY(committed);
    return Status::success();
}

/// The permission bits of an existing file, to keep them when it is rewritten.
int modeOf(const fs::path& path, int fallback)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
        return static_cast<int>(st.st_mode & 07777);
    return fallback;
}

/// Creates the missing folders of `dir`, outermost first, appending each one it
/// made to `created`.
Status ensureDirs(const fs::path& dir, std::vector<std::string>& created, int mode = 0755)
{
    std::vector<fs::path> missing;
    for (fs::path p = dir; !p.empty() && !existsNoFollow(p); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path())
            break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
            return ioError(errno, "create the folder", *it);
        created.push_back(it->string());
    }
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return makeError(ErrorCode::Io, "\"" + dir.string() + "\" is not a folder");
    return Status::success();
}

/// Removes the folders in `created` (innermost last in the list) that are empty.
void removeCreatedDirs(const std::vector<std::string>& created)
{
    for (auto it = created.rbegin(); it != created.rend(); ++it)
        ::rmdir(it->c_str()); // fails, harmlessly, unless empty
}

/// Runs a freedesktop tool on `dir`. An error message on failure, nullopt on success.
std::optional<std::string> runTool(const char* tool, const fs::path& dir)
{
    const QString program = QStandardPaths::findExecutable(QString::fromLatin1(tool));
    if (program.isEmpty())
        return std::string(tool) + " was not found";
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, {QString::fromStdString(dir.string())});
    if (!process.waitForStarted(10'000))
        return std::string(tool) + " did not start";
    if (!process.waitForFinished(120'000)) {
        process.kill();
        process.waitForFinished(5'000);
        return std::string(tool) + " did not finish";
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return std::string(tool) + " failed: " + process.readAll().trimmed().toStdString();
    return std::nullopt;
}

std::vector<std::string> dirEntries(const fs::path& dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

fs::path envDir(const char* name, const fs::path& fallback)
{
    const char* v = std::getenv(name);
    if (v && *v && fs::path(v).is_absolute())
        return fs::path(v);
    return fallback;
}

fs::path baseDir(const Environment& env, Base base)
{
    return base == Base::DataHome ? env.dataHome : env.configHome;
}

// ---- The manifest ------------------------------------------------------------------------------

struct FileRecord {
    std::string path;
    std::string sha256;
};

struct CacheRecord {
    std::string dir;
    bool hadCache = false;
    std::vector<std::string> preexisting; // top-level names in dir before install (when !hadCache)
};

struct Manifest {
    std::string platform;
    std::string executable;
    bool portable = false;
    std::vector<std::string> createdDirs;
    std::vector<FileRecord> files;
    // Thunar's uca.xml
    std::string thunarPath;
    bool thunarCreated = false;
    std::string thunarBaseSha256;               // the text before Coffer's actions went in
    std::vector<std::string> thunarBaseActions; // ... and its actions (ucaActionSignatures)
    // mimeapps.list
    std::string mimeAppsPath;
    bool mimeAppsCreated = false;
    std::optional<MimeAppsChange> mimeAppsChange;
    std::optional<CacheRecord> mimeDatabase;
    std::optional<CacheRecord> desktopDatabase;
    // Windows
    bool registry = false;
    std::vector<std::string> registryCreatedParents;
    // How many folders were made for the manifest itself (its parent, grandparent...):
    // counted, not named, because a portable copy moves with its data folder.
    int manifestDirLevels = 0;
};

QJsonArray toArray(const std::vector<std::string>& v)
{
    QJsonArray a;
    for (const auto& s : v)
        a.append(QString::fromStdString(s));
    return a;
}

std::vector<std::string> fromArray(const QJsonValue& v)
{
    std::vector<std::string> out;
    for (const auto& item : v.toArray())
        out.push_back(item.toString().toStdString());
    return out;
}

QJsonObject cacheToJson(const CacheRecord& c)
{
    return QJsonObject{
        {"dir", QString::fromStdString(c.dir)}, {"hadCache", c.hadCache}, {"preexisting", toArray(c.preexisting)}};
}

CacheRecord cacheFromJson(const QJsonObject& o)
{
    return CacheRecord{o.value("dir").toString().toStdString(), o.value("hadCache").toBool(),
                       fromArray(o.value("preexisting"))};
}

constexpr const char* kManifestFormat = "coffer-integration-manifest/1";

std::string manifestToJson(const Manifest& m)
{
    QJsonObject o;
    o["format"] = kManifestFormat;
    o["platform"] = QString::fromStdString(m.platform);
    o["executable"] = QString::fromStdString(m.executable);
    o["portable"] = m.portable;
    o["createdDirs"] = toArray(m.createdDirs);
    QJsonArray files;
    for (const auto& f : m.files)
        files.append(
            QJsonObject{{"path", QString::fromStdString(f.path)}, {"sha256", QString::fromStdString(f.sha256)}});
    o["files"] = files;
    if (!m.thunarPath.empty())
        o["thunar"] = QJsonObject{{"path", QString::fromStdString(m.thunarPath)},
                                  {"created", m.thunarCreated},
                                  {"baseSha256", QString::fromStdString(m.thunarBaseSha256)},
                                  {"baseActions", toArray(m.thunarBaseActions)}};
    if (m.mimeAppsChange) {
        QJsonObject c{{"path", QString::fromStdString(m.mimeAppsPath)},
                      {"created", m.mimeAppsCreated},
                      {"line", QString::fromStdString(m.mimeAppsChange->line)},
                      {"appended", QString::fromStdString(m.mimeAppsChange->appended)}};
        if (m.mimeAppsChange->previous)
            c["previous"] = QString::fromStdString(*m.mimeAppsChange->previous);
        o["mimeapps"] = c;
    }
    if (m.mimeDatabase)
        o["mimeDatabase"] = cacheToJson(*m.mimeDatabase);
    if (m.desktopDatabase)
        o["desktopDatabase"] = cacheToJson(*m.desktopDatabase);
    if (m.registry)
        o["registry"] = QJsonObject{{"createdParents", toArray(m.registryCreatedParents)}};
    o["manifestDirLevels"] = m.manifestDirLevels;
    return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
}

Result<Manifest> manifestFromJson(const std::string& text, const fs::path& path)
{
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(text), &error);
    const QJsonObject o = doc.object();
    if (error.error != QJsonParseError::NoError || o.value("format").toString() != QLatin1String(kManifestFormat))
        return makeError(ErrorCode::Damaged, "the integration record \"" + path.string() + "\" is not readable");
    Manifest m;
    m.platform = o.value("platform").toString().toStdString();
    m.executable = o.value("executable").toString().toStdString();
    m.portable = o.value("portable").toBool();
    m.createdDirs = fromArray(o.value("createdDirs"));
    for (const auto& f : o.value("files").toArray()) {
        const auto fo = f.toObject();
        m.files.push_back({fo.value("path").toString().toStdString(), fo.value("sha256").toString().toStdString()});
    }
    if (o.contains("thunar")) {
        const auto t = o.value("thunar").toObject();
        m.thunarPath = t.value("path").toString().toStdString();
        m.thunarCreated = t.value("created").toBool();
        m.thunarBaseSha256 = t.value("baseSha256").toString().toStdString();
        m.thunarBaseActions = fromArray(t.value("baseActions"));
    }
    if (o.contains("mimeapps")) {
        const auto c = o.value("mimeapps").toObject();
        m.mimeAppsPath = c.value("path").toString().toStdString();
        m.mimeAppsCreated = c.value("created").toBool();
        MimeAppsChange change;
        change.line = c.value("line").toString().toStdString();
        change.appended = c.value("appended").toString().toStdString();
        if (c.contains("previous"))
            change.previous = c.value("previous").toString().toStdString();
        m.mimeAppsChange = change;
    }
    if (o.contains("mimeDatabase"))
        m.mimeDatabase = cacheFromJson(o.value("mimeDatabase").toObject());
    if (o.contains("desktopDatabase"))
        m.desktopDatabase = cacheFromJson(o.value("desktopDatabase").toObject());
    if (o.contains("registry")) {
        m.registry = true;
        m.registryCreatedParents = fromArray(o.value("registry").toObject().value("createdParents"));
    }
    m.manifestDirLevels = o.value("manifestDirLevels").toInt();
    return m;
}

Result<std::optional<Manifest>> loadManifest(const fs::path& path)
{
    if (!existsNoFollow(path))
        return std::optional<Manifest>();
    const auto text = readFile(path);
    if (!text)
        return makeError(ErrorCode::Io, "cannot read \"" + path.string() + "\"");
    auto m = manifestFromJson(*text, path);
    COFFER_TRY(m);
    return std::optional<Manifest>(std::move(*m));
}

Status saveManifest(const fs::path& path, const Manifest& m)
{
    return writeFileAtomic(path, manifestToJson(m), 0600);
}

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

    if (m.mimeAppsChange) {
        const fs::path path = followLink(m.mimeAppsPath);
        if (auto text = readFile(path)) {
            if (restoreDefaultHandler(*text, *m.mimeAppsChange)) {
                if (m.mimeAppsCreated && text->empty()) {
                    std::error_code ec;
                    fs::remove(path, ec);
                    report.done.push_back("removed " + m.mimeAppsPath);
                } else if (const auto s = writeFileAtomic(path, *text, modeOf(path, 0644)); !s) {
                    report.warnings.push_back(s.error().message);
                } else {
                    report.done.push_back("restored the previous default for .coffer files in " + m.mimeAppsPath);
                }
            } else {
                report.warnings.push_back("left the default for .coffer files in " + m.mimeAppsPath +
                                          " as it is: it was changed since");
            }
        }
    }

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

Status installDefaultHandler(const Environment& env, Manifest& m, Report& report)
{
    const fs::path userFile = env.configHome / "mimeapps.list";
    const fs::path target = followLink(userFile);
    const bool existed = existsNoFollow(userFile);
    std::string text;
    if (existed) {
        const auto t = readFile(target);
        if (!t)
            return makeError(ErrorCode::Io, "cannot read \"" + userFile.string() + "\"");
        text = *t;
    } else {
        COFFER_TRY(ensureDirs(userFile.parent_path(), m.createdDirs));
    }
    const auto change = setDefaultHandler(text, kMimeType, kDesktopId);
    m.mimeAppsPath = userFile.string();
    m.mimeAppsCreated = !existed;
    m.mimeAppsChange = change;
    COFFER_TRY(writeFileAtomic(target, text, existed ? modeOf(target, 0644) : 0644));
    report.done.push_back("made Coffer the default for .coffer files in " + userFile.string());
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
        s = step(installDefaultHandler(env, m, report));
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

std::string formatStatus(const StatusReport& st)
{
    std::string out;
    if (!st.installed) {
        out += "integration: not installed\n";
        out += st.portable ? "hint: this is a portable copy; run \"coffer integrate install\" to add Coffer to the "
                             "file manager (\"coffer integrate uninstall\" takes it away again)\n"
                           : "hint: run \"coffer integrate install\" to add Coffer to the file manager\n";
        return out;
    }
    out += std::string("integration: installed for this user") + (st.portable ? " (portable copy)" : "") + "\n";
    out += "executable: " + st.recordedExecutable.string() + "\n";
    if (st.moved) {
        out += "warning: Coffer moved: run \"coffer integrate install\" again\n";
        out += "  the file manager starts " + st.recordedExecutable.string() +
               (st.recordedMissing ? " (no longer there)" : "") + "; this copy is " + st.currentExecutable.string() +
               "\n";
    }
    for (const auto& item : st.items)
        out += "  " + item.state + std::string(8 - std::min<std::size_t>(item.state.size(), 7), ' ') +
               item.path.string() + "\n";
    if (st.thunarActions > 0)
        out += "Thunar: " + std::to_string(st.thunarActions) + " Coffer action in uca.xml\n";
    if (st.defaultHandler)
        out += "default for .coffer files: " + *st.defaultHandler + "\n";
    out += "record: " + st.manifest.string() + "\n";
    return out;
}

} // namespace coffer::integration
