#include "IntegrationDefaults.h"

#include "IntegrationFiles.h"

namespace coffer::integration::detail {

namespace {

/// Undoes one recorded change in `text`; says what happened in `report`.
/// Returns true if `text` changed.
bool restoreOne(std::string& text, const MimeAppsChange& change, const std::string& what, const std::string& path,
                Report& report)
{
    if (restoreDefaultHandler(text, change))
        return true;
    report.warnings.push_back("left the default for " + what + " files in " + path + " as it is: it was changed since");
    return false;
}

} // namespace

Status installDefaultHandlers(const Environment& env, Manifest& m, Report& report)
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
    const auto ageChange = setDefaultHandler(text, kAgeMimeType, kDesktopId);
    m.mimeAppsPath = userFile.string();
    m.mimeAppsCreated = !existed;
    m.mimeAppsChange = change;
    m.ageMimeAppsChange = ageChange;
    COFFER_TRY(writeFileAtomic(target, text, existed ? modeOf(target, 0644) : 0644));
    report.done.push_back("made Coffer the default for .coffer and .age files in " + userFile.string());
    return Status::success();
}

void undoDefaultHandlers(const Manifest& m, Report& report)
{
    if (!m.mimeAppsChange && !m.ageMimeAppsChange)
        return;
    const fs::path path = followLink(m.mimeAppsPath);
    auto text = readFile(path);
    if (!text)
        return;
    bool changed = false;
    // In the reverse order of install: the .age line went in after the .coffer line.
    if (m.ageMimeAppsChange)
        changed |= restoreOne(*text, *m.ageMimeAppsChange, ".age", m.mimeAppsPath, report);
    if (m.mimeAppsChange)
        changed |= restoreOne(*text, *m.mimeAppsChange, ".coffer", m.mimeAppsPath, report);
    if (!changed)
        return;
    if (m.mimeAppsCreated && text->empty()) {
        std::error_code ec;
        fs::remove(path, ec);
        report.done.push_back("removed " + m.mimeAppsPath);
    } else if (const auto s = writeFileAtomic(path, *text, modeOf(path, 0644)); !s) {
        report.warnings.push_back(s.error().message);
    } else {
        report.done.push_back("restored the previous defaults in " + m.mimeAppsPath);
    }
}

} // namespace coffer::integration::detail
