#ifndef FIREDRILL_CLINEEDIT_SHIM_H
#define FIREDRILL_CLINEEDIT_SHIM_H

// The C side of the REPL's line editing: BSD libedit (never GNU readline, which is GPL) through
// its native API. libedit's setters are variadic and its callbacks receive no context pointer, so
// Swift can call neither directly: these wrappers fix the arguments and route the callbacks
// through EL_CLIENTDATA back to the Swift object that owns the editor.

#include <histedit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/// Swift's answer to Tab: called with the owner pointer, returns one of libedit's CC_* codes.
typedef unsigned char (*fd_completion_handler)(void *owner, EditLine *editor);

/// One line editor with its history, prompt and completion callback.
typedef struct fd_line_editor {
    EditLine *editor;
    History *history;
    char *prompt;                  // owned; escape sequences bracketed by FD_PROMPT_IGNORE
    void *owner;                   // the Swift LineEditor, unretained
    fd_completion_handler complete;
} fd_line_editor;

/// Brackets the parts of the prompt that take no room on screen (colour escapes), so libedit
/// counts the prompt's width right.
#define FD_PROMPT_IGNORE '\1'

static inline fd_line_editor *fd_line_editor_of(EditLine *editor) {
    fd_line_editor *self = NULL;
    el_get(editor, EL_CLIENTDATA, &self);
    return self;
}

static inline char *fd_line_editor_prompt(EditLine *editor) {
    fd_line_editor *self = fd_line_editor_of(editor);
    return self != NULL && self->prompt != NULL ? self->prompt : "";
}

static inline unsigned char fd_line_editor_complete(EditLine *editor, int key) {
    (void)key;
    fd_line_editor *self = fd_line_editor_of(editor);
    if (self == NULL || self->complete == NULL) return CC_ERROR;
    return self->complete(self->owner, editor);
}

/// Opens an editor on the standard streams: emacs keys, Tab bound to the completion handler,
/// Ctrl-R to incremental history search as in bash, then the user's ~/.editrc. NULL if libedit
/// cannot start (no terminal description at all).
static inline fd_line_editor *fd_line_editor_open(const char *program, int history_size, void *owner,
                                                  fd_completion_handler complete) {
    fd_line_editor *self = calloc(1, sizeof *self);
    if (self == NULL) return NULL;
    self->editor = el_init(program, stdin, stdout, stderr);
    self->history = history_init();
    if (self->editor == NULL || self->history == NULL) {
        if (self->editor != NULL) el_end(self->editor);
        if (self->history != NULL) history_end(self->history);
        free(self);
        return NULL;
    }
    self->owner = owner;
    self->complete = complete;
    HistEvent event;
    history(self->history, &event, H_SETSIZE, history_size);
    history(self->history, &event, H_SETUNIQUE, 1);
    el_set(self->editor, EL_CLIENTDATA, (void *)self);
    el_set(self->editor, EL_EDITOR, "emacs");
    el_set(self->editor, EL_PROMPT_ESC, fd_line_editor_prompt, FD_PROMPT_IGNORE);
    el_set(self->editor, EL_HIST, history, self->history);
    el_set(self->editor, EL_ADDFN, "firedrill-complete", "complete the name or command word at the cursor",
           fd_line_editor_complete);
    el_set(self->editor, EL_BIND, "^I", "firedrill-complete", NULL);
    el_set(self->editor, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(self->editor, NULL);
    return self;
}

static inline void fd_line_editor_close(fd_line_editor *self) {
    if (self == NULL) return;
    el_end(self->editor);
    history_end(self->history);
    free(self->prompt);
    free(self);
}

static inline void fd_line_editor_set_prompt(fd_line_editor *self, const char *prompt) {
    free(self->prompt);
    self->prompt = strdup(prompt);
}

/// Adds a line (or a whole multi-line chunk) to the in-memory history that Up and Ctrl-R search.
static inline void fd_line_editor_remember(fd_line_editor *self, const char *entry) {
    HistEvent event;
    history(self->history, &event, H_ENTER, entry);
}

/// The width of the terminal on `descriptor`, or 80 when it cannot be told.
static inline int fd_terminal_columns(int descriptor) {
    struct winsize size;
    if (ioctl(descriptor, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

// Ctrl-C. The handler only sets flags, which is all a signal handler may safely do: one the REPL
// reads after `el_gets` returns, and the Lua state's interrupt flag, which the count hook and
// `sim.advance` check. It is installed without SA_RESTART on purpose: the read at the prompt then
// fails with EINTR and `el_gets` returns, which is how Ctrl-C clears the line being typed.

static volatile sig_atomic_t fd_interrupt_received = 0;
static volatile sig_atomic_t *fd_interrupt_forward = NULL;

static inline void fd_on_interrupt(int signal_number) {
    (void)signal_number;
    fd_interrupt_received = 1;
    if (fd_interrupt_forward != NULL) *fd_interrupt_forward = 1;
}

/// Installs the Ctrl-C handler; `forward` is the Lua state's interrupt flag (or NULL).
static inline int fd_install_interrupt_handler(volatile sig_atomic_t *forward) {
    fd_interrupt_forward = forward;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = fd_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(SIGINT, &action, NULL);
}

/// True if Ctrl-C arrived since the last call; clears the flag.
static inline int fd_take_interrupt(void) {
    int received = fd_interrupt_received;
    fd_interrupt_received = 0;
    return received;
}

#endif
