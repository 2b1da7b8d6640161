// English plurals without a translation file. Counted texts are written the
// Qt way, tr("%n file(s)", nullptr, n), so translators get every plural form
// of their language; but with no translation loaded Qt would show the source
// as it is ("1 file(s)"). This translator sits behind any real one and gives
// the English source its two forms: "1 file", "5 files".
#pragma once

#include <QTranslator>

namespace coffer::ui {

class EnglishPlurals : public QTranslator {
    Q_OBJECT

public:
    using QTranslator::QTranslator;

    /// Installs one instance in the application, behind every translator installed later.
    static void install();
    /// "%n file(s)" with n == 1 -> "%n file", otherwise "%n files"; "(es)" likewise.
    /// Null (no translation) for a text that is not counted or has no such suffix.
    static QString pluralise(const QString& source, int n);

    QString translate(const char* context, const char* sourceText, const char* disambiguation = nullptr,
                      int n = -1) const override;
    bool isEmpty() const override { return false; }
};

} // namespace coffer::ui
