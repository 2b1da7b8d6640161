// The main window's large drop target: files and folders start the Encrypt
// flow, .coffer files (and files holding armored text, FORMAT.md §14) open;
// dropped text holding the armor opens too. Focusable: Enter or Space chooses files instead.
#pragma once

#include <QFrame>
#include <QStringList>

class QMimeData;

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
    /// Emits the signals for this drop (files, or text); false if it holds neither.
    bool handleMimeData(const QMimeData* mime);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void encryptRequested(const QStringList& paths);
    void openRequested(const QString& container);
    /// Dropped text (not a file): an armored container, checked by whoever opens it.
    void openTextRequested(const QString& text);
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
