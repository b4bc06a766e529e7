// C shims over libedit for Swift.
//
// el_set, el_get and history are variadic, so Swift cannot call them; each use we need gets
// a fixed-signature wrapper here. stdin/stdout/stderr are taken inside C because Swift 6 treats
// those globals as unsafe. Callbacks from libedit cannot capture Swift context: the Swift side
// keeps its object behind EL_CLIENTDATA, inside an `rb_client_data` that also holds the prompt.
#ifndef RUNBOOK_CEDITLINE_SHIM_H
#define RUNBOOK_CEDITLINE_SHIM_H

#include <histedit.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

// What EL_CLIENTDATA points at. `prompt` is owned (malloc'd) by whoever sets it; `owner` is an
// unretained pointer to the Swift object that drives the editor.
typedef struct rb_client_data {
    char *prompt;
    void *owner;
} rb_client_data;

// Signature of an editor function added with EL_ADDFN; returns a CC_* code.
typedef unsigned char (*rb_editor_fn)(EditLine *, int);

// Makes multibyte (UTF-8) input work: libedit decodes keys with the C library's multibyte
// functions, so with the "C" locale every non-ASCII byte is mangled. Uses the user's locale;
// when that one is not UTF-8 (LANG unset, as in many ssh sessions) falls back to C.UTF-8.
static inline void rb_setlocale_ctype(void) {
    setlocale(LC_CTYPE, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset == NULL || (strcasecmp(codeset, "UTF-8") != 0 && strcasecmp(codeset, "utf8") != 0)) {
        if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
            setlocale(LC_CTYPE, "en_US.UTF-8");
        }
    }
}

static inline EditLine *rb_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}

// ---- el_set / el_get ---------------------------------------------------------------------

static inline int rb_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int rb_el_set_hist(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

static inline int rb_el_addfn(EditLine *el, const char *name, const char *help, rb_editor_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}

static inline int rb_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}

static inline int rb_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *rb_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

// With signals handled, libedit restores the terminal before a signal's previous handler
// runs and re-arms itself afterwards.
static inline int rb_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}

static inline int rb_el_refresh(EditLine *el) {
    return el_set(el, EL_REFRESH);
}

// The prompt callback: returns the string held by the client data.
static inline char *rb_prompt_from_clientdata(EditLine *el) {
    rb_client_data *data = (rb_client_data *)rb_el_get_clientdata(el);
    if (data == NULL || data->prompt == NULL) return (char *)"";
    return data->prompt;
}

static inline int rb_el_set_prompt_from_clientdata(EditLine *el) {
    return el_set(el, EL_PROMPT, rb_prompt_from_clientdata);
}

// ---- history -----------------------------------------------------------------------------

static inline int rb_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

static inline int rb_history_setunique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}

static inline int rb_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

static inline int rb_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}

static inline int rb_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}

static inline int rb_history_count(History *h) {
    HistEvent ev;
    if (history(h, &ev, H_GETSIZE) < 0) return 0;
    return ev.num;
}

// ---- terminal output and signals -----------------------------------------------------------

// Writes through the same stdio stream libedit uses, so the two never interleave out of order.
static inline void rb_stdout_write(const char *text) {
    fputs(text, stdout);
    fflush(stdout);
}

static inline void rb_stdout_flush(void) {
    fflush(stdout);
}

// The terminal's width in columns (80 when stdout is not a terminal).
static inline int rb_terminal_columns(void) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

// Set by rb_sigint_handler; read and cleared by the Swift side around el_gets.
// Being `static`, every object file that uses these functions gets its own copy: keep all
// calls to rb_sigint_* in one Swift file.
static volatile sig_atomic_t rb_sigint_seen = 0;

static inline void rb_sigint_handler(int signo) {
    (void)signo;
    rb_sigint_seen = 1;
}

// Installs a SIGINT handler without SA_RESTART, so a Ctrl-C at the prompt interrupts libedit's
// read() (EINTR) instead of killing the process. The previous action is stored in `previous`.
static inline int rb_sigint_catch(struct sigaction *previous) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = rb_sigint_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    rb_sigint_seen = 0;
    return sigaction(SIGINT, &action, previous);
}

static inline int rb_sigint_restore(const struct sigaction *previous) {
    return sigaction(SIGINT, previous, NULL);
}

static inline int rb_sigint_take(void) {
    int seen = rb_sigint_seen;
    rb_sigint_seen = 0;
    return seen;
}

static inline int rb_errno(void) { return errno; }

#endif
