// Fusion draws a check box's outline a shade darker than the window; on a
// dark palette that is the colour of the box itself, so an unchecked box
// (a recipient not chosen, "Sign" turned off) disappears. This proxy adds an
// outline that stands out from the box on dark palettes, and changes nothing
// else or with other styles.
#pragma once

#include <QProxyStyle>

namespace coffer::ui {

class ContrastStyle : public QProxyStyle {
    Q_OBJECT

public:
    using QProxyStyle::QProxyStyle;

    /// Sets `style` (or the current one when null) as the application style,
    /// wrapped in a ContrastStyle when it is Fusion.
    static void apply(QStyle* style = nullptr);
    static bool isDark(const QPalette& palette);

    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget = nullptr) const override;
};

} // namespace coffer::ui
