#include "EntryFilter.h"

#include "EntryTree.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTimer>

namespace coffer::ui {

namespace {

// Long enough to wait for the next key of a word, short enough to feel at once.
constexpr int kDebounceMs = 150;

/// `*` and `?` as wildcards, every other character as itself, the whole name.
QString globToRegex(const QString& glob)
{
    QString rx = QStringLiteral("\\A");
    for (const QChar c : glob) {
        if (c == QLatin1Char('*'))
            rx += QStringLiteral(".*");
        else if (c == QLatin1Char('?'))
            rx += QLatin1Char('.');
        else
            rx += QRegularExpression::escape(QString(c));
    }
    return rx + QStringLiteral("\\z");
}

} // namespace

EntryMatcher::EntryMatcher(const QString& text) : m_text(text.trimmed())
{
    m_onPath = m_text.contains(QLatin1Char('/'));
    m_glob = m_text.contains(QLatin1Char('*')) || m_text.contains(QLatin1Char('?'));
    if (m_glob) {
        m_pattern = QRegularExpression(globToRegex(m_text), QRegularExpression::CaseInsensitiveOption |
                                                                QRegularExpression::DotMatchesEverythingOption);
        m_pattern.optimize(); // compiled once, before a worker matches 200,000 names
    }
}

bool EntryMatcher::matches(const EntryTree& tree, std::uint32_t node) const
{
    if (m_text.isEmpty())
        return true;
    return matches(m_onPath ? tree.path(node) : tree.name(node).toString());
}

bool EntryMatcher::matches(const QString& nameOrPath) const
{
    if (m_text.isEmpty())
        return true;
    if (m_glob)
        return m_pattern.match(nameOrPath).hasMatch();
    return nameOrPath.contains(m_text, Qt::CaseInsensitive);
}

EntryFilterBar::EntryFilterBar(QWidget* parent)
    : QWidget(parent), m_field(new QLineEdit), m_count(new QLabel), m_debounce(new QTimer(this))
{
    m_field->setPlaceholderText(tr("Find by name (* matches anything)"));
    m_field->setAccessibleName(tr("Find in this container"));
    m_field->setClearButtonEnabled(true);
    m_field->installEventFilter(this);
    m_count->setTextFormat(Qt::PlainText);
    m_count->hide();
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(tr("&Find:"));
    label->setBuddy(m_field);
    layout->addWidget(label);
    layout->addWidget(m_field, 1);
    layout->addWidget(m_count);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_field, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this]() { emit filterChanged(m_field->text()); });
}

QString EntryFilterBar::countText() const
{
    return m_count->isHidden() ? QString() : m_count->text();
}

void EntryFilterBar::setCount(int matches, int total, bool filtered)
{
    m_count->setVisible(filtered);
    m_count->setText(tr("%1 of %2").arg(QLocale().toString(matches), QLocale().toString(total)));
}

void EntryFilterBar::flush()
{
    if (!m_debounce->isActive())
        return;
    m_debounce->stop();
    emit filterChanged(m_field->text());
}

bool EntryFilterBar::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Return || key == Qt::Key_Enter) {
            flush();
            emit moveIntoList();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace coffer::ui
