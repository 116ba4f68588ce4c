/** zmp-ui has no stepper (ZALO.md §5): a progress bar with the step names, readable by screen readers. */
export function Stepper({ steps, current }: { steps: string[]; current: number }) {
  const percent = Math.round(((current + 1) / steps.length) * 100);
  return (
    <div className="stepper">
      <div
        className="stepper__bar"
        role="progressbar"
        aria-valuemin={1}
        aria-valuemax={steps.length}
        aria-valuenow={current + 1}
        aria-valuetext={`Bước ${current + 1}/${steps.length}: ${steps[current]}`}
      >
        <div className="stepper__fill" style={{ width: `${percent}%` }} />
      </div>
      <ol className="stepper__steps">
        {steps.map((step, i) => (
          <li
            key={step}
            className={i === current ? "is-current" : i < current ? "is-done" : ""}
            aria-current={i === current ? "step" : undefined}
          >
            <span className="stepper__dot">{i + 1}</span>
            <span className="stepper__label">{step}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
