// Find in a container: what a filter text matches (EntryMatcher), and the
// box above the tree that takes it (EntryFilterBar). The text matches an
// entry's name case-insensitively, as a substring, or as a whole with `*`
// (any run of characters) and `?` (one character); with a '/' it matches the
// entry's path instead. Typing is debounced; the tree is filtered off the GUI
// thread (ContainerModel::setFilter).
#pragma once

#include <QRegularExpression>
#include <QString>
#include <QWidget>

#include <cstdint>

class QLabel;
class QLineEdit;
class QTimer;

namespace coffer::ui {

class EntryTree;

class EntryMatcher {
public:
    explicit EntryMatcher(const QString& text);

    bool isEmpty() const { return m_text.isEmpty(); }
    bool matches(const EntryTree& tree, std::uint32_t node) const;
    bool matches(const QString& nameOrPath) const;

private:
    QString m_text;
    bool m_onPath = false;
    bool m_glob = false;
    QRegularExpression m_pattern;
};

class EntryFilterBar : public QWidget {
    Q_OBJECT

public:
    explicit EntryFilterBar(QWidget* parent = nullptr);

    QLineEdit* field() const { return m_field; }
    QString countText() const;
    /// "12 of 200,000"; hidden while there is no filter.
    void setCount(int matches, int total, bool filtered);
    /// Emits filterChanged now, without waiting for the debounce (tests, Enter).
    void flush();

signals:
    /// The text, once typing paused.
    void filterChanged(const QString& text);
    /// Down or Enter in the box: the tree takes the keyboard.
    void moveIntoList();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QLineEdit* m_field;
    QLabel* m_count;
    QTimer* m_debounce;
};

} // namespace coffer::ui
