// `coffer-gui`: Coffer's window. Users start it through `coffer` (which hands
// over to it when no subcommand is given) or the desktop entry.
#include "GuiMain.h"
#include "Hardening.h"
#include "StartupClock.h"

int main(int argc, char** argv)
{
    coffer::hardenProcess();
    coffer::ui::startupClock().start(); // start-to-shown-main-window, printed by --smoke-test
    return coffer::ui::runGui(argc, argv);
}
