;;; lupe-tests.el --- ERT tests of lupe.el and lupe-module  -*- lexical-binding: t -*-

;; Run by meson (tests/meson.build), or by hand from the repository:
;;   emacs --batch -Q -L bindings/emacs -L build/bindings/emacs \
;;     -l tests/emacs/lupe-tests.el --eval '(lupe-tests-run "^lupe-")'
;; `lupe-tests-run' with "^lupe-consult" runs the tests with the real
;; consult package (Debian elpa-consult) and exits 77 (a skip) without it.
;; LUPE_INDEX_EXE names lupe-index for the test of its indexes.

;;; Code:

(require 'ert)
(require 'cl-lib)
(require 'lupe)

(defvar lupe-tests--root nil "The temporary folder of this run.")

(defun lupe-tests--write (file text)
  "Write TEXT (a unibyte or multibyte string) to FILE as its bytes."
  (make-directory (file-name-directory file) t)
  (let ((coding-system-for-write 'no-conversion))
    (with-temp-file file
      (set-buffer-multibyte nil)
      (insert (if (multibyte-string-p text) (encode-coding-string text 'utf-8) text)))))

(defmacro lupe-tests--with-project (files &rest body)
  "Write FILES ((NAME . TEXT) ...) into a fresh project, index it, run BODY
with `default-directory' the project, `proj' its name and the index root
in the temporary folder."
  (declare (indent 1))
  `(let* ((lupe-tests--root (file-name-as-directory
                             (file-truename (make-temp-file "lupe-ert-" t))))
          (proj (concat lupe-tests--root "projekt"))
          (lupe-index-root (concat lupe-tests--root "indexes/"))
          (lupe-index-path nil)
          (default-directory (file-name-as-directory proj)))
     (unwind-protect
         (progn
           (make-directory proj t)
           (pcase-dolist (`(,name . ,text) ,files)
             (lupe-tests--write (expand-file-name name proj) text))
           ,@body)
       (when (get-buffer "*lupe*") (kill-buffer "*lupe*"))
       (delete-directory lupe-tests--root t))))

(defconst lupe-tests--files
  '(("haus.txt" . "Das Gartenhaus steht hinten.\nDie Überstunden häufen sich im Büro.\n")
    ("sub/arbeit.md" . "# Arbeit\n\n\tGrößere Überstunden? Nein, Überstunden nie.\nSchluss.\n")
    ("bild.txt" . "Überstunden\0\0binär")
    ("programm.el" . ";; Überstunden im Code, kein Text\n")))

(defun lupe-tests--positions (text word)
  "Every (LINE . COL) of WORD in TEXT, COL in characters from 0."
  (let (out (line 1))
    (dolist (l (split-string text "\n"))
      (let ((start 0))
        (while (string-match (regexp-quote word) l start)
          (push (cons line (match-beginning 0)) out)
          (setq start (match-end 0))))
      (cl-incf line))
    (nreverse out)))

;;;; The module

(ert-deftest lupe-module-loads ()
  (should (string-match-p "\\`0\\.[0-9]+\\.[0-9]+" (lupe-ensure-module)))
  (should (featurep 'lupe-module)))

(ert-deftest lupe-index-directory-and-update ()
  (lupe-tests--with-project lupe-tests--files
    (should (equal (lupe-index-directory proj)
                   '(:added 2 :updated 0 :unchanged 0 :removed 0 :skipped 1)))
    (should (equal (lupe-index-directory proj)
                   '(:added 0 :updated 0 :unchanged 2 :removed 0 :skipped 1)))
    (lupe-tests--write (expand-file-name "haus.txt" proj) "Kaffeepause statt Überstunden.\n")
    (set-file-times (expand-file-name "haus.txt" proj) (time-add nil 100))
    (delete-file (expand-file-name "sub/arbeit.md" proj))
    (should (equal (lupe-index-directory proj)
                   '(:added 0 :updated 1 :unchanged 0 :removed 1 :skipped 1)))
    (should (equal (mapcar (lambda (h) (plist-get h :file)) (lupe-hits "Kaffeepause"))
                   (list (expand-file-name "haus.txt" proj))))
    (should-not (lupe-hits "Nein"))))

;; The module's sync is liblupe's: the same ids as lupe-index, progress per
;; file, and a signal from PROGRESS stops it and reaches the caller.
(ert-deftest lupe-index-directory-is-the-library-sync ()
  (lupe-tests--with-project lupe-tests--files
    (let ((exe (getenv "LUPE_INDEX_EXE"))
          (cli (concat lupe-tests--root "cli-index")))
      (unless (and exe (file-executable-p exe))
        (ert-fail "LUPE_INDEX_EXE does not name lupe-index (meson sets it)"))
      (lupe-index-directory proj)
      (should (eq 0 (call-process exe nil nil nil "--db" cli (concat proj "/./"))))
      (should (equal (lupe--with-db (db (lupe--index-path proj)) (lupe-module-ids db ""))
                     (lupe--with-db (db cli) (lupe-module-ids db ""))))
      (should (equal (lupe--with-db (db cli) (lupe-module-ids db ""))
                     (list (expand-file-name "haus.txt" proj)
                           (expand-file-name "sub/arbeit.md" proj)))))
    (lupe-tests--write (expand-file-name "neu.txt" proj) "Neue Überstunden.\n")
    (let ((seen nil))
      (lupe--with-db (db (lupe--index-path proj) t)
        (should (equal (should-error
                        (lupe-module-sync db proj (lambda (done total)
                                                    (push (list done total) seen)
                                                    (signal 'lupe-tests--stop '(halt)))))
                       '(lupe-tests--stop halt))))
      (should (= 1 (length seen)))
      (should (equal (cadr (car seen)) 4)))))

(define-error 'lupe-tests--stop "stop")

;;;; M-x lupe-search and next-error

(ert-deftest lupe-search-lists-every-match-and-next-error-visits-them ()
  (lupe-tests--with-project lupe-tests--files
    (lupe-index-directory proj)
    (let* ((buf (lupe-search "Überstunden"))
           (want (cl-loop for (name . text) in lupe-tests--files
                          unless (member name '("bild.txt" "programm.el"))
                          append (cl-loop for (line . col) in (lupe-tests--positions text "Überstunden")
                                          collect (list name line col)))))
      (with-current-buffer buf
        (should (derived-mode-p 'compilation-mode))
        (let ((lines (cl-remove-if-not (lambda (l) (string-match-p "^[^ ].*:[0-9]+:[0-9]+: " l))
                                       (split-string (buffer-string) "\n"))))
          (should (= (length lines) (length want)))
          ;; Every entry's match is highlighted, and only the match.
          (goto-char (point-min))
          (let (marked)
            (while (setq marked (text-property-search-forward 'font-lock-face 'lupe-match t))
              (should (equal (buffer-substring-no-properties (prop-match-beginning marked)
                                                             (prop-match-end marked))
                             "Überstunden")))
            (should (= 3 (cl-count-if (lambda (l) (string-match-p "Überstunden" l)) lines))))))
      ;; next-error from another buffer walks the matches.
      (save-current-buffer
        (let (seen)
          (dotimes (_ (length want))
            (lupe-tests--next-error)
            (should (looking-at "Überstunden"))
            (push (list (file-relative-name buffer-file-name proj)
                        (line-number-at-pos) (current-column-chars))
                  seen))
          (should (equal (sort (nreverse seen) #'lupe-tests--less)
                         (sort (copy-sequence want) #'lupe-tests--less))))))))

(defun lupe-tests--next-error ()
  "Run `next-error'; make the buffer it shows current, point at the locus."
  (next-error)
  (set-buffer (window-buffer))
  (goto-char (window-point)))

(defun current-column-chars ()
  "Characters from the line's start to point (not screen columns)."
  (- (point) (line-beginning-position)))

(defun lupe-tests--less (a b)
  "Order (FILE LINE COL) lists."
  (string< (format "%s %05d %05d" (nth 0 a) (nth 1 a) (nth 2 a))
           (format "%s %05d %05d" (nth 0 b) (nth 1 b) (nth 2 b))))

(ert-deftest lupe-invalid-utf-8-file-positions ()
  ;; Bytes that are no UTF-8: liblupe indexes U+FFFD (3 bytes) for each,
  ;; Emacs shows one raw-byte character; the match must still be found.
  (lupe-tests--with-project '(("kaputt.txt" . "Kaputt \377\376 und \303( Zitronenfalter hier.\n"))
    (lupe-index-directory proj)
    (lupe-search "Zitronenfalter")
    (save-current-buffer
      (lupe-tests--next-error)
      (should (looking-at "Zitronenfalter")))))

;;;; Bad input: an error message, never a crash

(ert-deftest lupe-errors-are-messages ()
  (lupe-tests--with-project lupe-tests--files
    (should-error (lupe-search "Überstunden") :type 'user-error) ; no index yet
    (lupe-index-directory proj)
    (let ((err (should-error (lupe-search "(") :type 'user-error)))
      (should (string-match-p "query" (cadr err))))
    (should-error (lupe-hits nil) :type 'wrong-type-argument)
    ;; A query with raw bytes (from a buffer with invalid UTF-8).
    (should (listp (condition-case nil
                       (lupe-hits (string-to-multibyte "\377 Überstunden"))
                     (error nil))))
    ;; A locked index.
    (let ((writer (lupe-module-open (lupe--index-path proj) t)))
      (unwind-protect
          (let ((err (should-error (lupe-index-directory proj) :type 'user-error)))
            (should (string-match-p "locked" (cadr err))))
        (lupe-module-close writer)))
    ;; A reader's searches run on one watched thread of its own (a lookup
    ;; that never returns on a damaged index is an error, not a frozen
    ;; Emacs), which ends at close.
    (let* ((threads (lambda () (length (directory-files "/proc/self/task" nil "\\`[0-9]"))))
           (db (lupe-module-open (lupe--index-path proj)))
           (before (funcall threads)))
      (lupe-module-search db "Überstunden" 10)
      (should (= (funcall threads) (1+ before)))
      (lupe-module-close db)
      (should (= (funcall threads) before)))
    ;; A closed handle, a handle that is not one.
    (let ((db (lupe-module-open (lupe--index-path proj))))
      (lupe-module-close db)
      (lupe-module-close db)
      (should-error (lupe-module-search db "x" 10) :type 'lupe-error))
    (should-error (lupe-module-count (make-hash-table)) :type 'wrong-type-argument)
    (should-error (lupe-module-open (concat lupe-tests--root "nichts")) :type 'lupe-error)))

(ert-deftest lupe-huge-result-list ()
  (lupe-tests--with-project
      (cl-loop for i from 1 to 300
               collect (cons (format "gross/%03d.txt" i)
                             "Überstunden hier.\nÜberstunden dort.\nÜberstunden überall.\n"))
    (lupe-index-directory proj)
    (let ((lupe-limit 1000))
      (with-current-buffer (lupe-search "Überstunden")
        (should (= 900 (how-many "^gross/[0-9]+\\.txt:[0-9]+:[0-9]+: " (point-min) (point-max))))))))

(ert-deftest lupe-missing-module-is-a-message ()
  (let* ((emacs (expand-file-name invocation-name invocation-directory))
         (out (with-temp-buffer
                (list (call-process emacs nil t nil "--batch" "-Q"
                                    "-L" (file-name-directory (locate-library "lupe"))
                                    "--eval" "(setq lupe-module-file \"/nonexistent/lupe-module.so\")"
                                    "-l" "lupe"
                                    "--eval" "(condition-case e (lupe-search \"x\") (user-error (princ (cadr e))))")
                      (buffer-string)))))
    (should (equal (car out) 0))
    (should (string-match-p "cannot load /nonexistent/lupe-module.so" (cadr out)))))

(ert-deftest lupe-index-made-by-lupe-index ()
  (let ((exe (getenv "LUPE_INDEX_EXE")))
    (unless (and exe (file-executable-p exe))
      (ert-fail "LUPE_INDEX_EXE does not name lupe-index (meson sets it)"))
    (lupe-tests--with-project lupe-tests--files
      (let ((index (concat lupe-tests--root "li")))
        (should (eq 0 (call-process exe nil nil nil "--db" index "sub")))
        (let ((lupe-index-path index)
              (lupe-index-base proj)
              (default-directory "/"))
          (should (equal (mapcar (lambda (h) (plist-get h :file)) (lupe-hits "Überstunden"))
                         (list (expand-file-name "sub/arbeit.md" proj))))
          (lupe-search "Überstunden")
          (save-current-buffer
            (lupe-tests--next-error)
            (should (equal buffer-file-name (expand-file-name "sub/arbeit.md" proj)))
            (should (looking-at "Überstunden"))))))))

;;;; consult

(defun lupe-tests--load-consult ()
  "Put Debian's elpa folders of consult and compat on `load-path'; consult or nil."
  (dolist (dir (append (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/compat-*")
                       (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/consult-*")))
    (add-to-list 'load-path dir))
  (require 'consult nil t))

(ert-deftest lupe-consult-live-search-and-preview ()
  (unless (lupe-tests--load-consult)
    (ert-skip "consult is not installed"))
  (lupe-tests--with-project lupe-tests--files
    (lupe-index-directory proj)
    ;; The candidates: one a match, each with its location.
    (let ((cands (lupe-consult-candidates "Überstunden")))
      (should (= 3 (length cands)))
      (dolist (c cands)
        (should (string-match-p ":[0-9]+:[0-9]+: .*Überstunden" c))
        (should (get-text-property 0 'lupe-location c))))
    (should-not (lupe-consult-candidates "   "))
    (should-not (lupe-consult-candidates "("))     ; a half-typed query: no error
    ;; consult's own async pipeline, as the minibuffer drives it.
    (let* ((consult-async-input-debounce 0.01)
           (consult-async-input-throttle 0.01)
           (async (consult--dynamic-collection #'lupe-consult-candidates))
           (got nil))
      ;; A buffer standing in for the minibuffer: prompt, then input.
      (with-temp-buffer
        (insert "lupe: ")
        (let ((end (point)))
          (insert "Gartenhaus")
          (cl-letf (((symbol-function 'minibuffer-prompt-end) (lambda () end)))
            (funcall async 'setup)
            (funcall async "Gartenhaus")
            (with-timeout (5 (ert-fail "consult's async collection gave nothing"))
              (while (not (setq got (funcall async nil)))
                (accept-process-output nil 0.02))))))
      (should (= 1 (length got)))
      (should (string-prefix-p "haus.txt:1:5: " (car got)))
      (funcall async 'destroy))
    ;; Preview moves to the match; return jumps there.
    (let ((state (lupe-consult-state))
          (cand (car (lupe-consult-candidates "Gartenhaus"))))
      (funcall state 'setup nil)
      (funcall state 'preview cand)
      (should (equal (buffer-file-name) (expand-file-name "haus.txt" proj)))
      (should (looking-at "Gartenhaus"))
      (funcall state 'preview nil)
      (funcall state 'exit nil)
      (funcall state 'return cand)
      (should (equal (buffer-file-name (window-buffer)) (expand-file-name "haus.txt" proj)))
      (with-current-buffer (window-buffer)
        (should (looking-at "Gartenhaus"))))))

;;;; Runner

(defun lupe-tests-run (selector)
  "Run the tests matching SELECTOR and exit: 0 all passed, 1 a failure,
77 (a skip) when SELECTOR names the consult tests and consult is missing."
  (when (and (string-match-p "consult" selector) (not (lupe-tests--load-consult)))
    (message "consult is not installed: skipped")
    (kill-emacs 77))
  (let ((stats (ert-run-tests-batch selector)))
    (kill-emacs (if (and (zerop (ert-stats-completed-unexpected stats))
                         (zerop (ert-stats-skipped stats)))
                    0 1))))

(provide 'lupe-tests)
;;; lupe-tests.el ends here
