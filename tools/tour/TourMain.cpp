// `coffer-tour DIR`: the screenshot tour (ScreenshotTour.h), a developer's
// tool kept out of the shipped GUI. tools/screenshots.sh runs it under Xvfb
// with a throwaway COFFER_HOME; never run it on a real keyring.
#include "AppContext.h"
#include "GuiMain.h"
#include "Hardening.h"
#include "ScreenshotTour.h"
#include "StartupClock.h"

#include <QApplication>
#include <QTranslator>

#include <cstdio>

int main(int argc, char** argv)
{
    coffer::hardenProcess();
    coffer::ui::startupClock().start();
    if (argc != 2) {
        std::fprintf(stderr, "usage: coffer-tour DIR\n");
        return 2;
    }
    coffer::ui::nameApplication();
    QApplication app(argc, argv); // the same setup as the GUI's own (GuiMain.cpp)
    QTranslator qtTranslator;
    coffer::ui::prepareApplication(qtTranslator);
    coffer::ui::AppContext context;
    return coffer::ui::ScreenshotTour::run(context, QApplication::arguments().at(1));
}
