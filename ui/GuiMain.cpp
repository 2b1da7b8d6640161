#include "GuiMain.h"

#include "AppContext.h"
#include "AppController.h"
#include "BackgroundPriority.h"
#include "ContrastStyle.h"
#include "EnglishPlurals.h"
#include "MainWindow.h"
#include "OpenCopies.h"
#include "SingleInstance.h"
#include "StartupClock.h"

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QImage>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <cstdlib>

static void initCofferResources()
{
    Q_INIT_RESOURCE(coffer); // the icons live in a static library
}

namespace coffer::ui {

void initResources()
{
    initCofferResources();
}

namespace {

bool hasDisplay()
{
#if defined(__linux__) || defined(__unix__)
    for (const char* var : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        if (const char* v = std::getenv(var); v && *v)
            return true;
    return false;
#else
    return true;
#endif
}

/// True if the image has at least two different pixel values: something was drawn.
bool isPainted(const QImage& image)
{
    if (image.isNull())
        return false;
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            if (image.pixel(x, y) != first)
                return true;
    return false;
}

int runSmokeTest(AppContext& context)
{
    MainWindow window(context);
    int status = 1;
    QObject::connect(&window, &MainWindow::firstPainted, &window, [&]() {
        const qint64 startup = startupClock().elapsed();
        const bool painted = isPainted(window.grab().toImage());
        std::printf("startup: %lld ms\n", static_cast<long long>(startup));
        std::printf("main window painted: %s\n", painted ? "yes" : "no");
        std::fflush(stdout);
        status = painted ? 0 : 1;
        QApplication::quit();
    });
    QTimer::singleShot(10'000, qApp, []() {
        std::fprintf(stderr, "smoke test: the main window was not painted within 10 s\n");
        QApplication::exit(1);
    });
    window.show();
    QApplication::exec();
    return status;
}

} // namespace

void nameApplication()
{
    QApplication::setApplicationName(QStringLiteral("Coffer"));
    QApplication::setOrganizationName(QStringLiteral("Coffer"));
    QApplication::setApplicationDisplayName(QStringLiteral("Coffer"));
    QApplication::setDesktopFileName(QStringLiteral("coffer"));
}

void prepareApplication(QTranslator& qtTranslator)
{
    initResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/coffer.svg")));
    ContrastStyle::apply();

    EnglishPlurals::install(); // first, so that any real translation comes before it
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);

    startCryptoWorkersAtLowPriority();
}

int runGui(int argc, char** argv)
{
    if (!startupClock().isValid())
        startupClock().start();
    if (!hasDisplay()) {
        std::fprintf(stderr, "coffer: no display found for the window.\n"
                             "hint: for the command line, run \"coffer help\"\n");
        return 2;
    }
    nameApplication();
    QApplication app(argc, argv);
    QTranslator qtTranslator;
    prepareApplication(qtTranslator);
    QStringList args = QApplication::arguments();
    args.removeFirst();
    AppContext context;
    if (args.value(0) == QLatin1String("--smoke-test"))
        return runSmokeTest(context);
    QStringList files;
    bool onlyFiles = false;
    for (const QString& a : args) {
        if (!onlyFiles && a == QLatin1String("--")) {
            onlyFiles = true;
            continue;
        }
        if (!onlyFiles && a.startsWith(QLatin1Char('-'))) {
            std::fprintf(stderr, "coffer: unknown option \"%s\"; run \"coffer help\" for the command line\n",
                         qPrintable(a));
            return 2;
        }
        files << a;
    }
    // One window per user: a second launch (a file manager passing more files)
    // hands them to the running Coffer and exits.
    for (QString& f : files)
        f = QFileInfo(f).absoluteFilePath(); // the running instance has another working folder
    if (SingleInstance::sendToRunning(files))
        return 0;
    SingleInstance single;
    if (!single.listen() && SingleInstance::sendToRunning(files))
        return 0; // another launch became the running one meanwhile
    // Copies of opened files that a crash left behind (a running Coffer's are held, and stay).
    sweepStaleOpenCopies(openCopiesBase(context.locations()));
    AppController controller(context);
    QObject::connect(&single, &SingleInstance::argumentsReceived, &controller, [&controller](const QStringList& more) {
        if (MainWindow* w = controller.mainWindow()) {
            w->show();
            w->raise();
            w->activateWindow();
        }
        if (!more.isEmpty())
            controller.handleFiles(more);
    });
    controller.start(files);
    return QApplication::exec();
}

} // namespace coffer::ui
