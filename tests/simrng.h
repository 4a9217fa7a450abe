/* simrng: the simulations' random numbers (tests/gatesim.c, tests/racesim.c):
 * splitmix64 from a fixed seed, so that every run of a simulation draws
 * the same numbers and its rates are the same figures each time.  Define
 * SIMRNG_SEED before including. */
#ifndef VB_TESTS_SIMRNG_H
#define VB_TESTS_SIMRNG_H

#include <math.h>
#include <stdint.h>

static uint64_t rng = SIMRNG_SEED;

/* Uniform on (0, 1), never 0 or 1. */
static double uniform(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box-Muller, one of the pair). */
static double normal(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

#endif
