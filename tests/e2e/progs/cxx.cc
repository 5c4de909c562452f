// C++: a class, a vector, an exception thrown and caught.
#include <cstdio>
#include <stdexcept>
#include <vector>

struct Acc {
    std::vector<int> v;
    int sum() const { int s = 0; for (int x : v) s += x; return s; }
};

static int risky(int n)
{
    if (n > 10)
        throw std::runtime_error("too big");
    return n * 2;
}

int main()
{
    Acc a;
    for (int i = 0; i < 100; i++)
        a.v.push_back(i);
    int caught = 0;
    try {
        risky(11);
    } catch (const std::exception &e) {
        caught = 1;
    }
    std::printf("sum %d caught %d\n", a.sum(), caught);
    return 0;
}
