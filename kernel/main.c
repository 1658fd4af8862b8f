// SPDX-License-Identifier: GPL-2.0
/* moat: module init and exit.  Nothing else lives here. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <uapi/linux/moat.h>
#include "moat.h"

struct workqueue_struct *moat_wq;

static int __init moat_init(void)
{
	int err;

	moat_wq = alloc_workqueue("moat", 0, 0);
	if (!moat_wq)
		return -ENOMEM;
	err = moat_nat_init();
	if (err)
		goto err_nat;
	err = moat_netns_init();
	if (err)
		goto err_netns;
	err = moat_genl_init();
	if (err)
		goto err_genl;
	pr_info("version " MOAT_VERSION " loaded\n");
	return 0;

err_genl:
	moat_netns_exit();
err_netns:
	moat_nat_exit();
err_nat:
	destroy_workqueue(moat_wq);
	return err;
}

static void __exit moat_exit(void)
{
	moat_genl_exit();
	moat_netns_exit();
	moat_nat_exit();
	destroy_workqueue(moat_wq);
	moat_counters_pool_exit();
}

module_init(moat_init);
module_exit(moat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("moat packet firewall");
MODULE_VERSION(MOAT_VERSION);
