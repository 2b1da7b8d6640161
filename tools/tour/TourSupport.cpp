#include "TourSupport.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <vector>

namespace coffer::ui::tour {

void settle(int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
}

bool savePng(QWidget* widget, const QString& dir, const QString& name)
{
    settle();
    const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
    const bool ok = widget->grab().save(path, "PNG");
    std::printf("%s %s\n", ok ? "saved" : "FAILED to save", qPrintable(path));
    std::fflush(stdout);
    return ok;
}

bool writeRandomFile(const QString& path, std::uint64_t bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    std::vector<std::uint64_t> block(128 * 1024); // 1 MiB
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    while (bytes > 0) {
        for (auto& word : block) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word = state;
        }
        const auto n = static_cast<qint64>(qMin<std::uint64_t>(bytes, block.size() * sizeof(std::uint64_t)));
        if (file.write(reinterpret_cast<const char*>(block.data()), n) != n)
            return false;
        bytes -= static_cast<std::uint64_t>(n);
    }
    return true;
}

void writeSampleTree(const QString& root)
{
    QDir dir(root);
    dir.mkpath(QStringLiteral("Holiday photos"));
    dir.mkpath(QStringLiteral("Contracts/2024"));
    auto text = [&](const QString& name, const QByteArray& content, int repeat) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::WriteOnly))
            for (int i = 0; i < repeat; ++i)
                f.write(content);
    };
    text(QStringLiteral("Quarterly report.txt"), "Revenue grew in every region this quarter.\n", 4000);
    text(QStringLiteral("Contracts/2024/Lease.txt"), "The tenant shall keep the premises in good repair.\n", 800);
    text(QStringLiteral("Contracts/2024/Insurance.txt"), "Policy number 0042, renewed yearly.\n", 300);
    writeRandomFile(dir.filePath(QStringLiteral("Holiday photos/beach.jpg")), 3 * 1024 * 1024 + 12345);
    writeRandomFile(dir.filePath(QStringLiteral("Holiday photos/mountains.jpg")), 2 * 1024 * 1024 + 999);
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8f, 0x94));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x85, 0xc6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xf0));
    p.setColor(QPalette::Mid, QColor(0x5a, 0x5d, 0x63));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    return p;
}

} // namespace coffer::ui::tour
