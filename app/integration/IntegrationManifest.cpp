#include "IntegrationManifest.h"

#include "IntegrationFiles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace coffer::integration::detail {

namespace {

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

QJsonObject changeToJson(const MimeAppsChange& change)
{
    QJsonObject c{{"line", QString::fromStdString(change.line)}, {"appended", QString::fromStdString(change.appended)}};
    if (change.previous)
        c["previous"] = QString::fromStdString(*change.previous);
    return c;
}

MimeAppsChange changeFromJson(const QJsonObject& c)
{
    MimeAppsChange change;
    change.line = c.value("line").toString().toStdString();
    change.appended = c.value("appended").toString().toStdString();
    if (c.contains("previous"))
        change.previous = c.value("previous").toString().toStdString();
    return change;
}

constexpr const char* kManifestFormat = "coffer-integration-manifest/1";

} // namespace

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
        QJsonObject c = changeToJson(*m.mimeAppsChange);
        c["path"] = QString::fromStdString(m.mimeAppsPath);
        c["created"] = m.mimeAppsCreated;
        o["mimeapps"] = c;
    }
    if (m.ageMimeAppsChange)
        o["mimeappsAge"] = changeToJson(*m.ageMimeAppsChange);
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
        m.mimeAppsChange = changeFromJson(c);
    }
    if (o.contains("mimeappsAge")) // a record made before Coffer knew .age has none
        m.ageMimeAppsChange = changeFromJson(o.value("mimeappsAge").toObject());
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

} // namespace coffer::integration::detail
