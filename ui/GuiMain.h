// The GUI's entry point, called by main() when no CLI subcommand was given.
//   coffer [FILE...]                 .coffer files open, other paths are offered for encryption
//   coffer --smoke-test              shows the main window, checks it painted, prints "startup: N ms"
//   coffer --screenshot-tour DIR     saves a PNG of every main screen into DIR (tools/screenshots.sh)
#pragma once

namespace coffer::ui {

int runGui(int argc, char** argv);
/// Registers the icons compiled into coffer_ui (needed once per process; runGui does it).
void initResources();

} // namespace coffer::ui
