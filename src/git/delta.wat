;; Git's delta format (pack entries of type OFS_DELTA and REF_DELTA), applied in WebAssembly: the
;; source of the bytes embedded in delta-wasm.ts. test/git/delta.test.ts assembles this file with
;; wabt and checks the embedded bytes are exactly what it gives; after changing it, run
;;   npx tsx test/git/assemble-delta.ts
;; to print the new bytes.
;;
;; Memory is the caller's scratch space: the base, the delta's instructions and the target are laid out
;; in it by delta-wasm.ts. Every copy is checked against the base's and the target's bounds (as Git's
;; patch_delta does), so a damaged delta ends in an error code, never in a write outside the target.
(module
  (memory (export "memory") 1)
  ;; Applies the instructions in [at, end) to the base in [base, base + baseLen), writing from `out`
  ;; up to at most `outEnd`. Returns where the writing stopped, or
  ;;   -1 a copy reaches outside the base or past the target's size,
  ;;   -2 an insert reaches past the delta's end or past the target's size,
  ;;   -3 the reserved instruction 0,
  ;;   -4 the last instruction's operands run past the delta's end.
  (func (export "apply") (param $base i32) (param $baseLen i32) (param $at i32) (param $end i32) (param $out i32) (param $outEnd i32) (result i32)
    (local $op i32) (local $off i32) (local $len i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $op (i32.load8_u (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (if (i32.and (local.get $op) (i32.const 0x80))
          (then
            ;; Copy: bits 0-3 say which offset bytes follow, bits 4-6 which size bytes (little-endian).
            (local.set $off (i32.const 0))
            (local.set $len (i32.const 0))
            (if (i32.and (local.get $op) (i32.const 0x01)) (then
              (local.set $off (i32.load8_u (local.get $at)))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            (if (i32.and (local.get $op) (i32.const 0x02)) (then
              (local.set $off (i32.or (local.get $off) (i32.shl (i32.load8_u (local.get $at)) (i32.const 8))))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            (if (i32.and (local.get $op) (i32.const 0x04)) (then
              (local.set $off (i32.or (local.get $off) (i32.shl (i32.load8_u (local.get $at)) (i32.const 16))))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            (if (i32.and (local.get $op) (i32.const 0x08)) (then
              (local.set $off (i32.or (local.get $off) (i32.shl (i32.load8_u (local.get $at)) (i32.const 24))))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            (if (i32.and (local.get $op) (i32.const 0x10)) (then
              (local.set $len (i32.load8_u (local.get $at)))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            (if (i32.and (local.get $op) (i32.const 0x20)) (then
              (local.set $len (i32.or (local.get $len) (i32.shl (i32.load8_u (local.get $at)) (i32.const 8))))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            (if (i32.and (local.get $op) (i32.const 0x40)) (then
              (local.set $len (i32.or (local.get $len) (i32.shl (i32.load8_u (local.get $at)) (i32.const 16))))
              (local.set $at (i32.add (local.get $at) (i32.const 1)))))
            ;; Operand bytes cut off by the delta's end.
            (if (i32.gt_u (local.get $at) (local.get $end)) (then (return (i32.const -4))))
            ;; A size of 0 means 0x10000.
            (if (i32.eqz (local.get $len)) (then (local.set $len (i32.const 0x10000))))
            ;; offset + size may pass 2^32: compared in 64 bits.
            (if (i64.gt_u (i64.add (i64.extend_i32_u (local.get $off)) (i64.extend_i32_u (local.get $len))) (i64.extend_i32_u (local.get $baseLen)))
              (then (return (i32.const -1))))
            (if (i32.gt_u (local.get $len) (i32.sub (local.get $outEnd) (local.get $out)))
              (then (return (i32.const -1))))
            (memory.copy (local.get $out) (i32.add (local.get $base) (local.get $off)) (local.get $len))
            (local.set $out (i32.add (local.get $out) (local.get $len))))
          (else
            ;; Insert: the next `op` bytes of the delta (op 0 is reserved).
            (if (i32.eqz (local.get $op)) (then (return (i32.const -3))))
            (if (i32.gt_u (local.get $op) (i32.sub (local.get $end) (local.get $at)))
              (then (return (i32.const -2))))
            (if (i32.gt_u (local.get $op) (i32.sub (local.get $outEnd) (local.get $out)))
              (then (return (i32.const -2))))
            (memory.copy (local.get $out) (local.get $at) (local.get $op))
            (local.set $out (i32.add (local.get $out) (local.get $op)))
            (local.set $at (i32.add (local.get $at) (local.get $op)))))
        (br $next)))
    (local.get $out))
)
