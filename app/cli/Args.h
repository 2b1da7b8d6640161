// A small argument parser: flags, options with values (repeatable), and
// positional arguments, age style ("-r X -r Y", "--only=PATH").
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace coffer::cli {

class Args {
public:
    /// `withValue`: options that take a value (e.g. "-r", "--output").
    /// `aliases`: short -> long name ("-o" -> "--output").
    Args(std::vector<std::string> argv, std::set<std::string> flags, std::set<std::string> withValue,
         std::map<std::string, std::string> aliases);

    bool ok() const { return m_error.empty(); }
    const std::string& error() const { return m_error; }
    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    std::vector<std::string> all(const std::string& name) const;
    std::optional<std::string> one(const std::string& name) const;
    const std::vector<std::string>& positional() const { return m_positional; }
    /// Points a positional argument elsewhere (an armored input decoded to a file).
    void setPositional(std::size_t index, std::string value) { m_positional.at(index) = std::move(value); }

private:
    std::multimap<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
    std::string m_error;
};

} // namespace coffer::cli
