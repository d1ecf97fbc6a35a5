/*
 * watch.h - `pmon watch` for the commands that offer a shorthand of it
 * (`pmon zombies --watch`).
 */
#ifndef PMON_CMD_WATCH_H
#define PMON_CMD_WATCH_H

/* Run pmon watch with these arguments (argv[0] is the command's name). */
int watch_run(int argc, char **argv);

#endif
