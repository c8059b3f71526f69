"""How long the browser tests wait for the page."""

#: The first simulation of a fresh clone compiles the kernels (minutes on 2 busy cores) when
#: no earlier test has: the first page load of each module waits this long (a flakiness
#: review: the accessibility tests, which run first, waited 60 s and failed on an empty
#: cache); later waits use the page's 60 s.
FIRST_LOAD_MS = 15 * 60 * 1000
