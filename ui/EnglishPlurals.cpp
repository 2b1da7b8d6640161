#include "EnglishPlurals.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace coffer::ui {

void EnglishPlurals::install()
{
    static EnglishPlurals* installed = nullptr;
    if (installed || !QCoreApplication::instance())
        return;
    // Qt asks the most recently installed translator first, so one installed
    // now answers only what a real translation, installed later, leaves open.
    installed = new EnglishPlurals(QCoreApplication::instance());
    QCoreApplication::installTranslator(installed);
}

QString EnglishPlurals::pluralise(const QString& source, int n)
{
    if (n < 0)
        return QString();
    static const QRegularExpression suffix(QStringLiteral("(?<=\\w)\\((s|es)\\)"));
    if (!source.contains(suffix))
        return QString();
    QString text = source;
    if (n == 1) {
        text.remove(suffix);
        return text;
    }
    return text.replace(suffix, QStringLiteral("\\1"));
}

QString EnglishPlurals::translate(const char* /*context*/, const char* sourceText, const char* /*disambiguation*/,
                                  int n) const
{
    if (n < 0 || !sourceText)
        return QString();
    return pluralise(QString::fromUtf8(sourceText), n);
}

} // namespace coffer::ui
