#include "FittedDialog.h"

#include <QLayout>
#include <QShowEvent>
#include <QTimer>

namespace coffer::ui {

void FittedDialog::showEvent(QShowEvent* event)
{
    QDialog::showEvent(event); // centres on the parent with the size it has now
    if (event->spontaneous())
        return;
    fitHeightToWidth();
    // The layout settles once more when the shown widgets are polished
    // (under openbox the dialog then lost 120 px); centre again after that.
    QTimer::singleShot(0, this, [this]() {
        fitHeightToWidth();
        centreOnParent();
    });
}

void FittedDialog::centreOnParent()
{
    const QWidget* parent = parentWidget() ? parentWidget()->window() : nullptr;
    if (!parent || !parent->isVisible())
        return;
    const QPoint frameOffset = geometry().topLeft() - pos(); // the window manager's frame
    move(parent->geometry().center() - rect().center() - frameOffset);
}

void FittedDialog::fitHeightToWidth()
{
    if (!layout())
        return;
    layout()->activate();
    if (const int height = heightForWidth(width()); height > 0)
        resize(width(), height);
}

} // namespace coffer::ui
