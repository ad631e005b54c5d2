;;; lupe.el --- Full-text search for German text with liblupe  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: matching, tools
;; URL: see bindings/README.md of the lupe repository

;;; Commentary:

;; Index the text files of a directory and search them, in Emacs, over
;; liblupe loaded into Emacs as a dynamic module (lupe-module.so, built
;; by meson from bindings/emacs/lupe-module.c): no subprocess.
;;
;;   M-x lupe-index-directory   index or update the files under a directory
;;   M-x lupe-search            results in a compilation-style buffer;
;;                              `next-error' (M-g n) walks the matches
;;   M-x lupe-consult           live search with preview (needs consult)
;;
;; Set `lupe-index-path' to search an index made by lupe-index instead.
;; Failures (no module or library, a locked index, a query error) are
;; `lupe-error' signals or `user-error's with the library's message.

;;; Code:

(require 'compile)
(require 'cl-lib)

(defgroup lupe nil
  "Full-text search for German text."
  :group 'matching
  :prefix "lupe-")

(defcustom lupe-module-file nil
  "The dynamic module lupe-module.so; nil: looked up in `load-path'."
  :type '(choice (const :tag "Find in load-path" nil) file))

(defcustom lupe-index-root (locate-user-emacs-file "lupe/")
  "Where `lupe-index-directory' keeps its indexes, one per directory."
  :type 'directory)

(defcustom lupe-index-path nil
  "When non-nil, search this index (one made by lupe-index) instead.
Its relative paths are taken from `lupe-index-base'."
  :type '(choice (const nil) directory))

(defcustom lupe-index-base nil
  "The directory the relative paths of `lupe-index-path' start from.
nil: `default-directory'."
  :type '(choice (const nil) directory))

(defcustom lupe-limit 100
  "Documents `lupe-search' lists (each with every match)."
  :type 'integer)

(defcustom lupe-consult-limit 50
  "Documents `lupe-consult' lists while typing."
  :type 'integer)

(defface lupe-match '((t :inherit match))
  "Face of the matched words in lupe's results.")

(define-error 'lupe-error "lupe")

(defconst lupe--major-version 0
  "The major version of liblupe this package is written for.")

(declare-function lupe-module-version "lupe-module")
(declare-function lupe-module-open "lupe-module")
(declare-function lupe-module-close "lupe-module")
(declare-function lupe-module-count "lupe-module")
(declare-function lupe-module-commit "lupe-module")
(declare-function lupe-module-delete "lupe-module")
(declare-function lupe-module-mtime "lupe-module")
(declare-function lupe-module-ids "lupe-module")
(declare-function lupe-module-sync "lupe-module")
(declare-function lupe-module-search "lupe-module")

(defun lupe--module-path ()
  "The module file to load, or nil."
  (or lupe-module-file
      (locate-file "lupe-module" load-path (list module-file-suffix))
      (let ((here (file-name-directory (or load-file-name buffer-file-name ""))))
        (locate-file "lupe-module" (list here) (list module-file-suffix)))))

(defun lupe-ensure-module ()
  "Load lupe-module (and so liblupe) once; a `user-error' saying why not."
  (unless (featurep 'lupe-module)
    (unless module-file-suffix
      (user-error "lupe: this Emacs has no dynamic module support"))
    (let ((file (lupe--module-path)))
      (unless file
        (user-error "lupe: lupe-module%s not found in `load-path' (build it with meson, \
then add its folder to `load-path' or set `lupe-module-file')" module-file-suffix))
      (condition-case err
          (module-load file)
        (error (user-error "lupe: cannot load %s: %s (is liblupe installed, or \
LD_LIBRARY_PATH set to its folder?)" file (error-message-string err))))))
  (let ((v (lupe-module-version)))
    (unless (eql (string-to-number (car (split-string v "\\."))) lupe--major-version)
      (user-error "lupe: liblupe %s, but lupe.el needs %d.x" v lupe--major-version))
    v))

(defun lupe--index-path (dir)
  "The index of DIR under `lupe-index-root': every byte of DIR's absolute
name but [A-Za-z0-9._-] written as %XX, so no two directories share one."
  (let ((name (directory-file-name (expand-file-name dir))))
    (concat (file-name-as-directory (expand-file-name lupe-index-root))
            (mapconcat (lambda (b)
                         (if (or (<= ?a b ?z) (<= ?A b ?Z) (<= ?0 b ?9) (memq b '(?. ?_ ?-)))
                             (string b)
                           (format "%%%02X" b)))
                       (encode-coding-string name 'utf-8) ""))))

(defun lupe--find-indexed (dir)
  "The nearest of DIR and its parents that has an index, or nil."
  (let ((d (directory-file-name (expand-file-name dir))) found)
    (while (and d (not found))
      (if (file-directory-p (lupe--index-path d))
          (setq found d)
        (let ((parent (directory-file-name (file-name-directory d))))
          (setq d (unless (equal parent d) parent)))))
    found))

(defun lupe--target ()
  "(INDEX . BASE): the index to search and the base of relative paths."
  (if lupe-index-path
      (cons (expand-file-name lupe-index-path)
            (directory-file-name (expand-file-name (or lupe-index-base default-directory))))
    (let ((dir (lupe--find-indexed default-directory)))
      (unless dir
        (user-error "lupe: no index for %s or its parents; run M-x lupe-index-directory \
or set `lupe-index-path'" default-directory))
      (cons (lupe--index-path dir) dir))))

(defmacro lupe--with-db (spec &rest body)
  "Open (VAR PATH WRITABLE CREATE), run BODY, close VAR (committing a writer)."
  (declare (indent 1))
  `(let ((,(car spec) (lupe-module-open ,@(cdr spec))))
     (unwind-protect (progn ,@body)
       (lupe-module-close ,(car spec)))))

;;;; Indexing

(defun lupe-index-directory (dir)
  "Index or update the files under DIR through liblupe's folder sync.
The sync is the one `lupe-index DIR' runs, so both make the same index:
text files (.txt .md .html and the like) outside hidden folders and what
.gitignore and .ignore files name; on re-runs only changed files are
read again and documents of vanished ones dropped.  Ids are absolute
canonical paths.  \\[keyboard-quit] stops it; what was done is kept.
Returns a plist of counts (:added :updated :unchanged :removed :skipped)."
  (interactive "DIndex directory: ")
  (lupe-ensure-module)
  (setq dir (directory-file-name (file-truename (expand-file-name dir))))
  (unless (file-directory-p dir)
    (user-error "lupe: %s is not a directory" dir))
  (make-directory lupe-index-root t)
  (let* ((index (lupe--index-path dir))
         (root (directory-file-name (file-truename (expand-file-name lupe-index-root))))
         (under (file-name-as-directory dir))
         ;; Never index our own indexes, should they lie under DIR.
         (exclude (and (string-prefix-p under root) (list (substring root (length under)))))
         (progress nil)
         (st (condition-case err
                 (lupe--with-db (db index t t)
                   (lupe-module-sync
                    db dir
                    (lambda (done total)
                      (unless progress
                        (setq progress (make-progress-reporter
                                        (format "lupe: indexing %s " dir) 0 total)))
                      (progress-reporter-update progress done))
                    exclude))
               (lupe-error (user-error "lupe: indexing %s failed: %s" dir (cadr err))))))
    (when progress (progress-reporter-done progress))
    (let ((counts (list :added (plist-get st :added) :updated (plist-get st :updated)
                        :unchanged (plist-get st :unchanged) :removed (plist-get st :removed)
                        :skipped (plist-get st :skipped))))
      (message "lupe: indexed %s: %d added, %d updated, %d unchanged, %d removed, %d skipped%s"
               dir (plist-get counts :added) (plist-get counts :updated)
               (plist-get counts :unchanged) (plist-get counts :removed)
               (plist-get counts :skipped) (if (plist-get st :stopped) " (stopped)" ""))
      counts)))

;;;; Searching

(defun lupe-hits (query &optional limit)
  "Search the index of `default-directory' (see `lupe--target') for QUERY.
Hits are plists (:rank :id :title :path :file :score :snippet :highlights
:matches); :matches are (LINE COL END-LINE END-COL), COL in characters
from 0.  Signals `user-error' for a query error or an unusable index."
  (unless (stringp query)
    (signal 'wrong-type-argument (list 'stringp query)))
  (lupe-ensure-module)
  (let ((target (lupe--target)))
    (condition-case err
        (lupe--with-db (db (car target))
          (lupe-module-search db query (or limit lupe-limit) (cdr target)))
      (lupe-error (user-error "lupe: %s" (cadr err))))))

(defun lupe--file-lines (file)
  "A function LINE -> the text of that line of FILE (decoded as Emacs visits it)."
  (let ((buf (generate-new-buffer " *lupe-file*")))
    (with-current-buffer buf
      (ignore-errors (insert-file-contents file)))
    (lambda (line)
      (if (eq line 'kill)
          (kill-buffer buf)
        (with-current-buffer buf
          (save-excursion
            (goto-char (point-min))
            (forward-line (1- line))
            (buffer-substring-no-properties (line-beginning-position) (line-end-position))))))))

(defun lupe--entries (hits)
  "One (FILE LINE COL TEXT MATCH-START MATCH-END) a match, best document first,
its matches in file order.  A hit without readable matches gets one entry
at line 1 with its snippet."
  (let (out)
    (dolist (hit hits)
      (let ((file (plist-get hit :file))
            (matches (sort (copy-sequence (plist-get hit :matches))
                           (lambda (a b) (or (< (car a) (car b))
                                             (and (= (car a) (car b)) (< (cadr a) (cadr b))))))))
        (if (null matches)
            (push (list file 1 0 (replace-regexp-in-string "[\n\t ]+" " " (plist-get hit :snippet))
                        nil nil)
                  out)
          (let ((lines (lupe--file-lines file)))
            (unwind-protect
                (pcase-dolist (`(,line ,col ,end-line ,end-col) matches)
                  (let ((text (funcall lines line)))
                    (push (list file line col text col
                                (min (length text) (if (= end-line line) end-col (length text))))
                          out)))
              (funcall lines 'kill))))))
    (nreverse out)))

(defvar lupe-results-regexp-alist
  '((lupe "^\\([^:\n]+\\):\\([0-9]+\\):\\([0-9]+\\): " 1 2 3 1))
  "How `lupe-results-mode' finds FILE:LINE:COL at the start of a line.")

(define-compilation-mode lupe-results-mode "lupe"
  "The results of `lupe-search': one line a match; RET or `next-error' visits it."
  (setq-local compilation-error-regexp-alist '(lupe))
  (setq-local compilation-error-regexp-alist-alist lupe-results-regexp-alist)
  ;; Columns count characters from 1, not screen columns.
  (setq-local compilation-error-screen-columns nil)
  (setq-local compilation-first-column 1)
  (setq-local compilation-skip-threshold 0))

(defun lupe--insert-entries (entries)
  "Insert ENTRIES as FILE:LINE:COL: TEXT lines, each match in `lupe-match'."
  (pcase-dolist (`(,file ,line ,col ,text ,ms ,me) entries)
    (let ((name (if (string-prefix-p (file-name-as-directory default-directory) file)
                    (file-relative-name file default-directory)
                  file)))
      (insert (format "%s:%d:%d: " name line (1+ col)))
      (let ((start (point)))
        (insert text)
        (when (and ms me (<= me (length text)) (< ms me))
          (put-text-property (+ start ms) (+ start me) 'font-lock-face 'lupe-match)))
      (insert "\n"))))

(defun lupe-search (query)
  "Search for QUERY; list every match in the buffer *lupe*.
The index is `lupe-index-path', or that of `default-directory' or its
nearest indexed parent.  `next-error' and RET visit the matches."
  (interactive (list (read-string "lupe search: " nil 'lupe-history)))
  (lupe-ensure-module)
  (let* ((target (lupe--target))
         (hits (lupe-hits query))
         (entries (lupe--entries hits))
         (buf (get-buffer-create "*lupe*")))
    (with-current-buffer buf
      (let ((inhibit-read-only t))
        (erase-buffer)
        (setq default-directory (file-name-as-directory (cdr target)))
        (insert (format "-*- lupe: %s -*-\n%d documents, %d matches\n\n"
                        query (length hits) (length entries)))
        (lupe--insert-entries entries))
      (lupe-results-mode)
      (goto-char (point-min)))
    (setq next-error-last-buffer buf)
    (display-buffer buf)
    (unless hits
      (message "lupe: nothing found for %s" query))
    buf))

;;;; consult

(declare-function consult--read "consult")
(declare-function consult--dynamic-collection "consult")
(declare-function consult--lookup-member "consult")
(declare-function consult--temporary-files "consult")
(declare-function consult--jump-state "consult")
(declare-function consult--marker-from-line-column "consult")
(declare-function consult--async-split-initial "consult")

(defun lupe-consult-candidates (input)
  "Candidates for INPUT: one string a match, FILE:LINE:COL: TEXT with the
location in the text property `lupe-location' as (FILE LINE COL)."
  (if (string-match-p "\\`[[:space:]]*\\'" input)
      nil
    (condition-case err
        (cl-loop for (file line col text ms me) in (lupe--entries (lupe-hits input lupe-consult-limit))
                 for s = (format "%s:%d:%d: %s" (file-relative-name file) line (1+ col) text)
                 do (when (and ms me (< ms me))
                      (let ((off (- (length s) (length text))))
                        (add-face-text-property (+ off ms) (+ off me) 'lupe-match nil s)))
                 do (put-text-property 0 1 'lupe-location (list file line col) s)
                 collect s)
      ;; A half-typed query is not an error worth a backtrace.
      (user-error (message "%s" (cadr err)) nil))))

(defun lupe--consult-position (cand &optional find-file)
  "A marker at CAND's match, in the buffer FIND-FILE (default `find-file') gives."
  (when cand
    (pcase-let ((`(,file ,line ,col) (get-text-property 0 'lupe-location cand)))
      (when file
        (consult--marker-from-line-column (funcall (or find-file #'find-file) file) line col)))))

(defun lupe-consult-state ()
  "Preview and jump for `lupe-consult': files opened for preview only are closed."
  (let ((open (consult--temporary-files))
        (jump (consult--jump-state)))
    (lambda (action cand)
      (unless cand
        (funcall open))
      (funcall jump action (lupe--consult-position
                            cand (and (not (eq action 'return)) open))))))

(defun lupe-consult (&optional initial)
  "Live search with preview through consult; INITIAL is the starting input."
  (interactive)
  (unless (require 'consult nil t)
    (user-error "lupe: lupe-consult needs the consult package (Debian: elpa-consult)"))
  (lupe-ensure-module)
  (lupe--target)
  (consult--read (consult--dynamic-collection #'lupe-consult-candidates)
                 :prompt "lupe: "
                 :lookup #'consult--lookup-member
                 :state (lupe-consult-state)
                 :initial (consult--async-split-initial initial)
                 :require-match t
                 :sort nil
                 :category 'lupe
                 :history '(:input lupe-history)))

(provide 'lupe)
;;; lupe.el ends here
