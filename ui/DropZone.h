// The main window's large drop target: files and folders start the Encrypt
// flow, .coffer files open. Focusable: Enter or Space chooses files instead.
#pragma once

#include <QFrame>
#include <QStringList>

namespace coffer::ui {

class DropZone : public QFrame {
    Q_OBJECT

public:
    explicit DropZone(QWidget* parent = nullptr);

    /// Splits paths into containers to open and everything else to encrypt.
    static void routePaths(const QStringList& paths, QStringList* containers, QStringList* toEncrypt);
    static bool isContainerPath(const QString& path);
    /// Emits the signals for these paths, as a drop would.
    void handlePaths(const QStringList& paths);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void encryptRequested(const QStringList& paths);
    void openRequested(const QString& container);
    /// Enter, Space or a click: the user wants to choose files.
    void activated();

protected:
    void paintEvent(QPaintEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    bool m_hovered = false;
};

} // namespace coffer::ui
