// Start-to-shown-main-window time: main() starts the clock first thing, the
// main window's first paint reads it.
#pragma once

#include <QElapsedTimer>

namespace coffer::ui {

QElapsedTimer& startupClock();

} // namespace coffer::ui
