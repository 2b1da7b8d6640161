// The GUI's entry point, called by main() when no CLI subcommand was given.
//   coffer [FILE...]                 .coffer files open, other paths are offered for encryption
//   coffer --smoke-test              shows the main window, checks it painted, prints "startup: N ms"
// (The screenshot tour is an executable of its own: tools/tour, `coffer-tour DIR`.)
#pragma once

class QTranslator;

namespace coffer::ui {

int runGui(int argc, char** argv);
/// The application's names, for settings and the desktop; before QApplication exists.
void nameApplication();
/// Icons, style, translations (Qt's own into `qtTranslator`, which must outlive
/// the application) and the crypto workers at low priority; once QApplication exists.
void prepareApplication(QTranslator& qtTranslator);
/// Registers the icons compiled into coffer_ui (needed once per process; runGui does it).
void initResources();

} // namespace coffer::ui
