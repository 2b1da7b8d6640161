// An inline message inside a window (instead of a popup): an icon, a tinted
// frame and the words. The kind is never told by colour alone: the icon and
// the text say it too.
#pragma once

#include <QFrame>

class QLabel;

namespace coffer::ui {

class NoticePanel : public QFrame {
    Q_OBJECT

public:
    enum class Kind { Info, Success, Warning, Error };

    explicit NoticePanel(QWidget* parent = nullptr);

    void showMessage(Kind kind, const QString& text);
    void clearMessage();
    QString text() const;
    Kind kind() const { return m_kind; }

    /// The tint for a kind, readable on both light and dark palettes.
    static QColor accentColor(Kind kind);

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void updateIcon();

    Kind m_kind = Kind::Info;
    QLabel* m_icon;
    QLabel* m_text;
};

} // namespace coffer::ui
