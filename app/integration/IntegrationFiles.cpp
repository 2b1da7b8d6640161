#include "IntegrationFiles.h"

#include "FileIO.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QStandardPaths>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer::integration::detail {

namespace fs = std::filesystem;

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
Status ensureDirs(const fs::path& dir, std::vector<std::string>& created, int mode)
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

} // namespace coffer::integration::detail
