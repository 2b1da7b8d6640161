#include "PassphraseStrength.h"

#include <cmath>

namespace coffer::ui {

double PassphraseStrength::estimateBits(QStringView text)
{
    bool lower = false, upper = false, digit = false, symbol = false, other = false, space = false;
    for (QChar c : text) {
        if (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            lower = true;
        else if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            upper = true;
        else if (c.isDigit())
            digit = true;
        else if (c == QLatin1Char(' '))
            space = true;
        else if (c.unicode() < 128)
            symbol = true;
        else
            other = true;
    }
    const int pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 32 : 0) + (space ? 1 : 0) +
                     (other ? 100 : 0);
    if (pool <= 1)
        return 0;
    return static_cast<double>(text.size()) * std::log2(static_cast<double>(pool));
}

StrengthHint PassphraseStrength::assess(QStringView text)
{
    StrengthHint h;
    h.bits = estimateBits(text);
    if (text.size() < kMinPassphraseLength) {
        h.strength = Strength::TooShort;
        h.label = tr("Too short");
        h.hint = tr("Use at least %1 characters. Four or five random words are easy to remember and hard to guess.")
                     .arg(kMinPassphraseLength);
    } else if (h.bits < 45) {
        h.strength = Strength::Weak;
        h.label = tr("Weak");
        h.hint = tr("Easy to guess. Make it longer: add a few more words.");
    } else if (h.bits < 65) {
        h.strength = Strength::Fair;
        h.label = tr("Fair");
        h.hint = tr("Acceptable. A few more characters or another word make it much stronger.");
    } else if (h.bits < 85) {
        h.strength = Strength::Good;
        h.label = tr("Good");
        h.hint = tr("Hard to guess.");
    } else {
        h.strength = Strength::Strong;
        h.label = tr("Strong");
        h.hint = tr("Very hard to guess.");
    }
    return h;
}

} // namespace coffer::ui
