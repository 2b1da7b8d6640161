#include "ContrastStyle.h"

#include <QApplication>
#include <QPainter>
#include <QStyleFactory>
#include <QStyleOption>

namespace coffer::ui {

namespace {

QColor mixed(const QColor& a, const QColor& b, double share)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - share) + b.redF() * share),
                            static_cast<float>(a.greenF() * (1 - share) + b.greenF() * share),
                            static_cast<float>(a.blueF() * (1 - share) + b.blueF() * share));
}

} // namespace

void ContrastStyle::apply(QStyle* style)
{
    const auto isFusion = [](const QStyle* s) {
        return s->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) == 0;
    };
    if (!style) {
        if (qobject_cast<ContrastStyle*>(QApplication::style()) || !isFusion(QApplication::style()))
            return; // the platform's own style draws its check boxes well
        style = QStyleFactory::create(QStringLiteral("Fusion"));
    }
    if (style && isFusion(style))
        style = new ContrastStyle(style); // takes ownership of the base style
    if (style)
        QApplication::setStyle(style);
}

bool ContrastStyle::isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 100 && palette.color(QPalette::Text).lightness() > 150;
}

void ContrastStyle::drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                                  const QWidget* widget) const
{
    QProxyStyle::drawPrimitive(element, option, painter, widget);
    // Item views' check boxes come here too: Fusion draws them as PE_IndicatorCheckBox.
    if (element != PE_IndicatorCheckBox || !isDark(option->palette))
        return;
    if ((option->state & State_HasFocus) && (option->state & State_KeyboardFocusChange))
        return; // Fusion's focus outline is bright enough
    const bool enabled = option->state & State_Enabled;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->translate(0.5, 0.5); // as Fusion does, for crisp one-pixel lines
    painter->setBrush(Qt::NoBrush);
    painter->setPen(
        mixed(option->palette.color(QPalette::Base), option->palette.color(QPalette::Text), enabled ? 0.45 : 0.25));
    painter->drawRect(option->rect.adjusted(0, 0, -1, -1));
    painter->restore();
}

} // namespace coffer::ui
