// The main window: a large drop zone, the recent containers, a toolbar
// (Encrypt…, Open…, Paste (open from clipboard), Contacts, My card, Settings, Lock, About) and a status bar that
// shows portable mode. It only asks for flows; AppController runs them.
#pragma once

#include <QMainWindow>

class QLabel;

namespace coffer::ui {

class AppContext;
class DropZone;
class RecentContainers;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(AppContext& context, QWidget* parent = nullptr);

    DropZone* dropZone() const { return m_dropZone; }
    QAction* aboutAction() const { return m_about; }
    QAction* pasteAction() const { return m_paste; }

signals:
    /// Empty: ask which files.
    void encryptRequested(const QStringList& paths);
    /// Empty: ask which container.
    void openRequested(const QString& path);
    /// "Open from clipboard": a container copied as text (FORMAT.md §14).
    void openClipboardRequested();
    /// Text dropped on the window: opened if it is an armored container.
    void openTextRequested(const QString& text);
    void contactsRequested();
    void myCardRequested();
    void settingsRequested();
    void lockRequested();
    void aboutRequested();
    /// Once, after the window was first painted (start-up time).
    void firstPainted();

protected:
    void paintEvent(QPaintEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void refreshIdentity();
    QAction* addToolAction(const QString& icon, const QString& text, const QKeySequence& shortcut, const QString& tip);

    AppContext& m_context;
    DropZone* m_dropZone;
    RecentContainers* m_recent;
    QLabel* m_identity;
    QAction* m_encrypt = nullptr;
    QAction* m_open = nullptr;
    QAction* m_paste = nullptr;
    QAction* m_contacts = nullptr;
    QAction* m_myCard = nullptr;
    QAction* m_settings = nullptr;
    QAction* m_lock = nullptr;
    QAction* m_about = nullptr;
    bool m_painted = false;
};

} // namespace coffer::ui
