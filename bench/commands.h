/* commands: the subcommands' entry points; main() only dispatches. */
#ifndef VB_COMMANDS_H
#define VB_COMMANDS_H

int vb_cmd_run(int argc, char **argv);
int vb_cmd_xml(int argc, char **argv);
int vb_cmd_modes(int argc, char **argv);
int vb_cmd_image(int argc, char **argv);
int vb_cmd_report(int argc, char **argv);
int vb_cmd_compare(int argc, char **argv);
int vb_cmd_trend(int argc, char **argv);

#endif
