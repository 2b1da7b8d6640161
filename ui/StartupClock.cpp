#include "StartupClock.h"

namespace coffer::ui {

QElapsedTimer& startupClock()
{
    static QElapsedTimer clock;
    return clock;
}

} // namespace coffer::ui
