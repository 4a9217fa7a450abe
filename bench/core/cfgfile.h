/* cfgfile: -c FILE, a run's options in fio's INI style (cfgfile.c says
 * the format).  [global] keys are set in c as options are; [mode NAME]
 * sections are checked and kept in c->mode_tuning for run to apply to that
 * mode alone; the text is kept in c->config_text for run.json. */
#ifndef VB_CFGFILE_H
#define VB_CFGFILE_H

#include "core/vbconfig.h"

/* 0, or -1 after one line naming the file and line. */
int vb_config_file_load(struct vb_config *c, const char *cmd, const char *path);

#endif
