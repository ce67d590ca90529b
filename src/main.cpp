#include "app.hpp"

int main(int argc, char** argv) {
    return amr::run(argc, argv);
}
