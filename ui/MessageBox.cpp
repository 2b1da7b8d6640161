#include "MessageBox.h"

#include <QInputDialog>

namespace coffer::ui {

namespace {

struct SeamState {
    MessageBox::Button nextAnswer = QMessageBox::NoButton;
    bool hasNextText = false;
    std::optional<QString> nextText;
    bool testMode = false;
    QString lastText;
};

SeamState& seam()
{
    static SeamState state;
    return state;
}

} // namespace

void MessageBox::setNextAnswer(Button answer)
{
    seam().nextAnswer = answer;
}

void MessageBox::setNextText(std::optional<QString> text)
{
    seam().hasNextText = true;
    seam().nextText = std::move(text);
}

void MessageBox::setTestMode(bool on)
{
    seam().testMode = on;
}

QString MessageBox::lastText()
{
    return seam().lastText;
}

MessageBox::Button MessageBox::show(QMessageBox::Icon icon, QWidget* parent, const QString& title, const QString& text,
                                    Buttons buttons, Button defaultButton)
{
    seam().lastText = text;
    if (seam().nextAnswer != QMessageBox::NoButton) {
        const Button answer = seam().nextAnswer;
        seam().nextAnswer = QMessageBox::NoButton;
        return answer;
    }
    if (seam().testMode)
        return defaultButton != QMessageBox::NoButton ? defaultButton : QMessageBox::Ok;
    QMessageBox box(icon, title, text, buttons, parent);
    if (defaultButton != QMessageBox::NoButton)
        box.setDefaultButton(defaultButton);
    box.setTextFormat(Qt::PlainText);
    return static_cast<Button>(box.exec());
}

MessageBox::Button MessageBox::information(QWidget* parent, const QString& title, const QString& text, Buttons buttons)
{
    return show(QMessageBox::Information, parent, title, text, buttons, QMessageBox::Ok);
}

MessageBox::Button MessageBox::warning(QWidget* parent, const QString& title, const QString& text, Buttons buttons)
{
    return show(QMessageBox::Warning, parent, title, text, buttons, QMessageBox::Ok);
}

MessageBox::Button MessageBox::question(QWidget* parent, const QString& title, const QString& text, Buttons buttons,
                                        Button defaultButton)
{
    return show(QMessageBox::Question, parent, title, text, buttons, defaultButton);
}

std::optional<QString> MessageBox::getText(QWidget* parent, const QString& title, const QString& label,
                                           const QString& text)
{
    seam().lastText = label;
    if (seam().hasNextText) {
        seam().hasNextText = false;
        return std::exchange(seam().nextText, std::nullopt);
    }
    if (seam().testMode)
        return std::nullopt;
    bool ok = false;
    const QString answer = QInputDialog::getText(parent, title, label, QLineEdit::Normal, text, &ok);
    if (!ok)
        return std::nullopt;
    return answer;
}

} // namespace coffer::ui
