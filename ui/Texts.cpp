#include "Texts.h"

#include <QLocale>

namespace coffer::ui {

QString Texts::files(std::uint64_t count)
{
    return count == 1 ? tr("1 file") : tr("%1 files").arg(QLocale().toString(static_cast<qulonglong>(count)));
}

QString Texts::size(std::uint64_t bytes)
{
    return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

QString Texts::timeLeft(double seconds)
{
    if (seconds < 0)
        return QString();
    const auto s = static_cast<qint64>(seconds + 0.5);
    if (s <= 1)
        return tr("about 1 second left");
    if (s < 60)
        return tr("about %1 seconds left").arg(s);
    if (s < 90)
        return tr("about 1 minute left");
    if (s < 3600)
        return tr("about %1 minutes left").arg((s + 30) / 60);
    return tr("about %1 h %2 min left").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace coffer::ui
