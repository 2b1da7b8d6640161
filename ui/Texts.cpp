#include "Texts.h"

#include <QLocale>

#include <algorithm>
#include <limits>

namespace coffer::ui {

QString Texts::files(std::uint64_t count)
{
    const int n = static_cast<int>(std::min<std::uint64_t>(count, std::numeric_limits<int>::max()));
    return tr("%Ln file(s)", nullptr, n);
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
    if (s < 60)
        return tr("about %n second(s) left", nullptr, static_cast<int>(qMax<qint64>(s, 1)));
    if (s < 3600)
        return tr("about %n minute(s) left", nullptr, static_cast<int>(qMax<qint64>((s + 30) / 60, 1)));
    return tr("about %1 h %2 min left").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace coffer::ui
