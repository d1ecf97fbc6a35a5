/*
 * test_gpu.c - the DRM fdinfo parser on text as i915, amdgpu and nouveau
 * write it (Documentation/gpu/drm-usage-stats.rst and the drivers'
 * fdinfo code), and a descriptor that is not a DRM client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proc/gpu.h"

static void test_i915(void **state)
{
	/* i915 on 6.x: per-region total and resident, engines and their
	 * capacities (which are not time). */
	static const char text[] =
		"pos:\t0\nflags:\t02100002\nmnt_id:\t26\nino:\t1108\n"
		"drm-driver:\ti915\n"
		"drm-client-id:\t9\n"
		"drm-pdev:\t0000:00:02.0\n"
		"drm-total-system0:\t4096 KiB\n"
		"drm-shared-system0:\t0\n"
		"drm-active-system0:\t0\n"
		"drm-resident-system0:\t2048 KiB\n"
		"drm-purgeable-system0:\t0\n"
		"drm-total-stolen-system0:\t0\n"
		"drm-engine-render:\t25662044495 ns\n"
		"drm-engine-copy:\t0 ns\n"
		"drm-engine-video:\t0 ns\n"
		"drm-engine-capacity-video:\t2\n"
		"drm-engine-video-enhance:\t1000 ns\n";
	struct drm_client c;

	(void)state;
	assert_int_equal(drm_fdinfo_parse(text, &c), 0);
	assert_string_equal(c.driver, "i915");
	assert_string_equal(c.pdev, "0000:00:02.0");
	assert_true(c.have_id);
	assert_int_equal(c.client_id, 9);
	assert_int_equal(c.mem_bytes, 2048 * 1024); /* resident wins */
	assert_int_equal(c.engine_ns, 25662044495ULL + 1000);
}

static void test_amdgpu(void **state)
{
	/* amdgpu before the drm-total keys: drm-memory-* per domain. */
	static const char text[] =
		"pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t501\n"
		"drm-driver:\tamdgpu\n"
		"drm-pdev:\t0000:03:00.0\n"
		"drm-client-id:\t42\n"
		"drm-memory-vram:\t110436 KiB\n"
		"drm-memory-gtt: \t6272 KiB\n"
		"drm-memory-cpu: \t0 KiB\n"
		"amd-memory-visible-vram:\t110436 KiB\n"
		"drm-engine-gfx:\t1337000 ns\n"
		"drm-engine-compute:\t2000 ns\n"
		"drm-engine-dec:\t0 ns\n";
	struct drm_client c;

	(void)state;
	assert_int_equal(drm_fdinfo_parse(text, &c), 0);
	assert_string_equal(c.driver, "amdgpu");
	assert_int_equal(c.client_id, 42);
	assert_int_equal(c.mem_bytes, (110436ULL + 6272) * 1024);
	assert_int_equal(c.engine_ns, 1339000);
}

static void test_nouveau_and_units(void **state)
{
	/* nouveau (6.7+): one engine, memory totals in bytes and MiB. */
	static const char text[] =
		"drm-driver:\tnouveau\n"
		"drm-client-id:\t7\n"
		"drm-engine-gr:\t500 ns\n"
		"drm-total-vram:\t2 MiB\n"
		"drm-total-gart:\t4096\n";
	struct drm_client c;

	(void)state;
	assert_int_equal(drm_fdinfo_parse(text, &c), 0);
	assert_string_equal(c.driver, "nouveau");
	assert_int_equal(c.mem_bytes, 2 * 1024 * 1024 + 4096);
	assert_int_equal(c.engine_ns, 500);
}

static void test_not_drm(void **state)
{
	/* a plain file's fdinfo */
	static const char text[] = "pos:\t0\nflags:\t0100002\nmnt_id:\t30\nino:\t123\n";
	struct drm_client c;

	(void)state;
	assert_int_equal(drm_fdinfo_parse(text, &c), -1);
	assert_int_equal(drm_fdinfo_parse("", &c), -1);
	assert_int_equal(c.mem_bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i915),
		cmocka_unit_test(test_amdgpu),
		cmocka_unit_test(test_nouveau_and_units),
		cmocka_unit_test(test_not_drm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
