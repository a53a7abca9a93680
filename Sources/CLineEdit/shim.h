#ifndef FIREDRILL_CLINEEDIT_SHIM_H
#define FIREDRILL_CLINEEDIT_SHIM_H

// The C side of the REPL's line editing: BSD libedit (never GNU readline, which is GPL) through
// its native API. libedit's setters are variadic and its callbacks receive no context pointer, so
// Swift can call neither directly: these wrappers fix the arguments and route the callbacks
// through EL_CLIENTDATA back to the Swift object that owns the editor.

#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

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

static inline int fd_read_character(EditLine *editor, wchar_t *character);

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

// Giving the terminal back. The REPL keeps the terminal in edit mode while commands run (see
// fd_line_editor_hold_terminal), so a crash or a kill then would leave the trainee's shell without
// echo. These handlers restore the terminal as it was and pass the signal on to whatever handled
// it before (the Swift runtime's backtracer for crashes, the default action otherwise).

static struct termios fd_original_terminal = {0};
static int fd_has_original_terminal = 0;
static struct sigaction fd_previous_fatal_actions[NSIG] = {{{0}}};

static inline void fd_restore_terminal_and_pass_on(int signal_number) {
    if (fd_has_original_terminal) tcsetattr(STDIN_FILENO, TCSANOW, &fd_original_terminal);
    sigaction(signal_number, &fd_previous_fatal_actions[signal_number], NULL);
    raise(signal_number);
}

/// Remembers the terminal as it is now and restores it on fatal signals.
static inline void fd_restore_terminal_on_fatal_signals(void) {
    if (tcgetattr(STDIN_FILENO, &fd_original_terminal) != 0) return;
    fd_has_original_terminal = 1;
    static const int fatal[] = {SIGTERM, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE};
    for (size_t index = 0; index < sizeof fatal / sizeof fatal[0]; index++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = fd_restore_terminal_and_pass_on;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_NODEFER;
        sigaction(fatal[index], &action, &fd_previous_fatal_actions[fatal[index]]);
    }
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
    fd_restore_terminal_on_fatal_signals();
    HistEvent event;
    history(self->history, &event, H_SETSIZE, history_size);
    history(self->history, &event, H_SETUNIQUE, 1);
    el_set(self->editor, EL_CLIENTDATA, (void *)self);
    el_set(self->editor, EL_EDITOR, "emacs");
    el_set(self->editor, EL_PROMPT_ESC, fd_line_editor_prompt, FD_PROMPT_IGNORE);
    el_set(self->editor, EL_HIST, history, self->history);
    el_set(self->editor, EL_GETCFN, fd_read_character);
    el_set(self->editor, EL_ADDFN, "firedrill-complete", "complete the name or command word at the cursor",
           fd_line_editor_complete);
    el_set(self->editor, EL_BIND, "^I", "firedrill-complete", NULL);
    el_set(self->editor, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(self->editor, NULL);
    return self;
}

/// Puts the terminal in libedit's edit mode (raw) and keeps it there between lines, or gives
/// back the mode the terminal had. Between lines a command runs; if the terminal were cooked
/// meanwhile, keys typed ahead would sit in the kernel's line buffer, and switching to raw for the
/// next prompt garbles them (a Ctrl-D becomes a NUL, an Enter can go missing). Edit mode keeps
/// ISIG, so Ctrl-C still interrupts, and output processing, so newlines still print.
static inline void fd_line_editor_hold_terminal(fd_line_editor *self, int edit_mode) {
    el_set(self->editor, EL_PREP_TERM, edit_mode);
}

static inline void fd_line_editor_close(fd_line_editor *self) {
    if (self == NULL) return;
    el_set(self->editor, EL_PREP_TERM, 0);
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

/// Gives a pseudo-terminal a size, as a terminal emulator would, so that a program started on it
/// (the REPL under `firedrill bench`) lays out its line as it would for a person.
static inline int fd_set_terminal_size(int descriptor, unsigned short rows, unsigned short columns) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    size.ws_row = rows;
    size.ws_col = columns;
    return ioctl(descriptor, TIOCSWINSZ, &size);
}

/// Opens a new pseudo-terminal and writes its terminal side's path into `path`; returns the
/// controlling side, or -1. glibc hides posix_openpt and friends from Swift (they need
/// _XOPEN_SOURCE), so this asks Linux's /dev/ptmx directly.
static inline int fd_open_pseudo_terminal(char *path, size_t size) {
    int controller = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (controller < 0) return -1;
    int unlocked = 0;
    unsigned int number = 0;
    if (ioctl(controller, TIOCSPTLCK, &unlocked) != 0 || ioctl(controller, TIOCGPTN, &number) != 0) {
        int saved = errno;
        close(controller);
        errno = saved;
        return -1;
    }
    snprintf(path, size, "/dev/pts/%u", number);
    return controller;
}

// Ctrl-C. The handler only sets flags and writes one byte, which is all a signal handler may
// safely do: a flag the REPL reads after `el_gets` returns, the Lua state's interrupt flag, which
// the count hook and `sim.advance` check, and a byte on a pipe that the wait for a key also
// watches. The pipe is what makes Ctrl-C at the prompt reliable whenever it comes: before the wait
// has begun (a signal interrupts only a system call in progress), or while the handler runs on
// another thread than the one waiting.

static volatile sig_atomic_t fd_interrupt_received = 0;
static volatile sig_atomic_t *fd_interrupt_forward = NULL;
static int fd_interrupt_pipe[2] = {-1, -1};

static inline void fd_on_interrupt(int signal_number) {
    (void)signal_number;
    int saved = errno;
    fd_interrupt_received = 1;
    if (fd_interrupt_forward != NULL) *fd_interrupt_forward = 1;
    if (fd_interrupt_pipe[1] >= 0) (void)!write(fd_interrupt_pipe[1], "!", 1);
    errno = saved;
}

static inline void fd_drain_interrupt_pipe(void) {
    char bytes[64];
    if (fd_interrupt_pipe[0] < 0) return;
    while (read(fd_interrupt_pipe[0], bytes, sizeof bytes) > 0) {}
}

/// Installs the Ctrl-C handler; `forward` is the Lua state's interrupt flag (or NULL).
static inline int fd_install_interrupt_handler(volatile sig_atomic_t *forward) {
    fd_interrupt_forward = forward;
    if (fd_interrupt_pipe[0] < 0 && pipe(fd_interrupt_pipe) == 0) {
        for (int end = 0; end < 2; end++) {
            fcntl(fd_interrupt_pipe[end], F_SETFL, fcntl(fd_interrupt_pipe[end], F_GETFL) | O_NONBLOCK);
            fcntl(fd_interrupt_pipe[end], F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = fd_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    // A parent may have started us with SIGINT blocked (the mask is inherited through fork and
    // exec, as under some test runners and terminal multiplexers); Ctrl-C must still arrive.
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    return sigprocmask(SIG_UNBLOCK, &interrupt, NULL);
}

/// Work that arrives while the REPL waits for a key: the real kubectl's requests through
/// `--api`. When `fd_idle_descriptor` is readable, `fd_idle_handler` runs (on this, the world's,
/// thread) and the wait goes on.
static int fd_idle_descriptor = -1;
static void (*fd_idle_handler)(void) = NULL;

static inline void fd_set_idle_source(int descriptor, void (*handler)(void)) {
    fd_idle_descriptor = descriptor;
    fd_idle_handler = handler;
}

/// Waits until `descriptor` has input; -1 with EINTR if Ctrl-C came first or comes meanwhile.
static inline int fd_wait_for_input(int descriptor) {
    for (;;) {
        if (fd_interrupt_received) { errno = EINTR; return -1; }
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(descriptor, &readable);
        int highest = descriptor;
        if (fd_interrupt_pipe[0] >= 0) {
            FD_SET(fd_interrupt_pipe[0], &readable);
            if (fd_interrupt_pipe[0] > highest) highest = fd_interrupt_pipe[0];
        }
        if (fd_idle_descriptor >= 0 && fd_idle_handler != NULL) {
            FD_SET(fd_idle_descriptor, &readable);
            if (fd_idle_descriptor > highest) highest = fd_idle_descriptor;
        }
        int ready = select(highest + 1, &readable, NULL, NULL, NULL);
        if (ready < 0 && errno != EINTR) return -1;
        if (ready > 0 && fd_idle_descriptor >= 0 && fd_idle_handler != NULL && FD_ISSET(fd_idle_descriptor, &readable)) {
            fd_idle_handler();
            if (!FD_ISSET(descriptor, &readable)) continue;
        }
        if (ready > 0 && fd_interrupt_pipe[0] >= 0 && FD_ISSET(fd_interrupt_pipe[0], &readable)) {
            fd_drain_interrupt_pipe();
            continue;
        }
        if (ready > 0 && FD_ISSET(descriptor, &readable)) return 0;
    }
}

/// libedit's read function, replaced so that Ctrl-C ends the wait for a key whenever it comes
/// (see fd_wait_for_input). Decodes one multibyte character, as libedit's own
/// does: 1 for a character, 0 at end of input, -1 on interrupt or error.
static inline int fd_read_character(EditLine *editor, wchar_t *character) {
    FILE *input = NULL;
    int descriptor = el_get(editor, EL_GETFP, 0, &input) == 0 && input != NULL ? fileno(input) : STDIN_FILENO;
    char bytes[MB_LEN_MAX];
    size_t count = 0;
    *character = L'\0';
    for (;;) {
        if (fd_wait_for_input(descriptor) < 0) return -1;
        ssize_t got = read(descriptor, bytes + count, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -1;
        if (got == 0) return 0;
        count++;
        mbstate_t state;
        memset(&state, 0, sizeof state);
        size_t decoded = mbrtowc(character, bytes, count, &state);
        if (decoded == (size_t)-2 && count < MB_LEN_MAX) continue;   // more bytes to come
        if (decoded == (size_t)-1 || decoded == (size_t)-2) {        // invalid: drop it
            count = 0;
            continue;
        }
        return 1;
    }
}

/// True if Ctrl-C arrived since the last call; clears the flag.
static inline int fd_take_interrupt(void) {
    fd_drain_interrupt_pipe();
    int received = fd_interrupt_received;
    fd_interrupt_received = 0;
    return received;
}

#endif
