// One "launch" of Coffer for SingleInstanceTest, doing exactly what GuiMain
// does with its files: hand them to a running instance, else become it.
//   single_instance_helper SERVER OUTDIR EXPECTED FILE...
// Forwarded: writes OUTDIR/forwarded-PID and exits 0. Became the instance:
// collects its own FILEs and every FILE handed to it until EXPECTED arrived
// (or 20 s passed), writes them one per line to OUTDIR/server-PID, exits 0.
#include "SingleInstance.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <unistd.h>

using coffer::ui::SingleInstance;

namespace {

void writeOut(const QString& path, const QStringList& lines)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write((lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 4)
        return 2;
    const QString name = args.at(1);
    const QString outDir = args.at(2);
    const int expected = args.at(3).toInt();
    const QStringList files = args.mid(4);
    const QString pid = QString::number(::getpid());

    if (SingleInstance::sendToRunning(files, name)) {
        writeOut(outDir + QStringLiteral("/forwarded-") + pid, files);
        return 0;
    }
    SingleInstance single(name, nullptr);
    if (!single.listen()) {
        if (SingleInstance::sendToRunning(files, name)) {
            writeOut(outDir + QStringLiteral("/forwarded-") + pid, files);
            return 0;
        }
        return 3;
    }
    QStringList received = files;
    int deliveries = 0;
    QObject::connect(&single, &SingleInstance::argumentsReceived, &app, [&](const QStringList& more) {
        received += more;
        ++deliveries;
        if (received.size() >= expected)
            QCoreApplication::quit();
    });
    QTimer::singleShot(20'000, &app, &QCoreApplication::quit);
    if (received.size() < expected)
        app.exec();
    // The first line counts the deliveries; the files follow.
    writeOut(outDir + QStringLiteral("/server-") + pid, QStringList{QString::number(deliveries)} + received);
    return 0;
}
