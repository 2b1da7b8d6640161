// QString <-> std::filesystem::path in the local 8-bit encoding (UTF-8 on
// Linux), as QFile does.
#pragma once

#include <QFile>
#include <QString>

#include <filesystem>

namespace coffer::ui {

inline std::filesystem::path toPath(const QString& path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

inline QString toQString(const std::filesystem::path& path)
{
    return QFile::decodeName(QByteArray::fromStdString(path.string()));
}

} // namespace coffer::ui
