/*
 * watch.h - `pmon watch` for the commands that offer a shorthand of it
 * (`pmon zombies --watch`).
 */
#ifndef PMON_CMD_WATCH_H
#define PMON_CMD_WATCH_H

/* Run pmon watch with these arguments (argv[0] is the command's name). */
int watch_run(int argc, char **argv);
/* The same for another command handing over: pmon watch becomes the
 * running command (its options, its help, its messages). */
int watch_run_for(int argc, char **argv);

#endif
