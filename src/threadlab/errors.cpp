#include "errors.hpp"

#include <cxxabi.h>
#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace threadlab {
namespace {
std::string demangle(const char* mangled) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

struct Described {
    std::string type;
    std::string message;
};

Described describe(const std::exception_ptr& error) {
    if (!error) return {"NoneType", ""};
    try {
        std::rethrow_exception(error);
    } catch (const BaseException& e) {
        return {e.type_name(), e.what()};
    } catch (const std::exception& e) {
        return {demangle(typeid(e).name()), e.what()};
    } catch (const std::string& s) {
        return {"std::string", s};
    } catch (const char* s) {
        return {"const char*", s};
    } catch (...) {
        return {"unknown exception", ""};
    }
}
} // namespace

std::string describe_exception(const std::exception_ptr& error) {
    Described d = describe(error);
    return d.message.empty() ? d.type : d.type + ": " + d.message;
}

std::string exception_type_name(const std::exception_ptr& error) { return describe(error).type; }

} // namespace threadlab
