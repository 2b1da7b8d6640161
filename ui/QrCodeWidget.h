// A QR code of a text (the card), drawn with libqrencode's modules. Always
// dark on white with a quiet zone, whatever the palette, so phones can read it.
#pragma once

#include <QWidget>

#include <vector>

namespace coffer::ui {

class QrCodeWidget : public QWidget {
    Q_OBJECT

public:
    explicit QrCodeWidget(QWidget* parent = nullptr);

    /// False if the text does not fit in a QR code.
    bool setText(const QString& text);
    int moduleCount() const { return m_size; }
    bool isDark(int x, int y) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return width; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int m_size = 0;
    std::vector<bool> m_modules;
};

} // namespace coffer::ui
