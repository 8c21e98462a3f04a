// Forward values of two steps of each cell on a hand-sized example (D = 2, H = 2), checked against
// numbers computed independently with numpy from the equations in the cell files.
import XCTest
import SeqCast

final class CellForwardTests: XCTestCase {
    /// Runs two steps x1 = (0.5, −1), x2 = (−0.3, 0.8) with fixed weights and an identity head
    /// (horizon 2, so the prediction is h_2 itself).
    private func lastHidden(_ cell: CellKind) throws -> [Float] {
        let cfg = ModelConfig(cell: cell, inputDim: 2, hidden: 2, layers: 1, head: .seq2vec, horizon: 2,
                              outputDim: 1, lookback: 2)
        let net = try Network(config: cfg, seed: 1)
        net.params.zero()
        func fill(_ name: String, _ f: (Int) -> Float) {
            let e = net.layout.entry(name)!
            for i in 0..<e.count { net.params[e.offset + i] = f(i) }
        }
        fill("layer0.Wx") { i in Float(0.1 * Double(i + 1) * (i % 2 == 0 ? 1 : -1)) }
        fill("layer0.Wh") { i in Float(0.05 * Double(i + 1) * (i % 2 == 0 ? -1 : 1)) }
        fill("layer0.bx") { i in Float(0.01 * Double(i)) }
        if cell == .gru { fill("layer0.bh") { i in Float(-0.02 * Double(i)) } }
        fill("dense.W") { $0 == 0 || $0 == 3 ? 1 : 0 }
        let ws = net.makeWorkspace(batch: 1, steps: 2)
        let x = FloatBuffer([0.5, -1.0, -0.3, 0.8])   // time-major [T=2, B=1, D=2]
        let out = net.forward(x: x.p, batch: 1, workspace: ws)
        return [out[0], out[1]]
    }

    func testLSTMTwoSteps() throws {
        let h = try lastHidden(.lstm)
        XCTAssertEqual(h[0], 0.14815675, accuracy: 2e-6); XCTAssertEqual(h[1], 0.00195162, accuracy: 2e-6)
    }

    func testGRUTwoSteps() throws {
        let h = try lastHidden(.gru)
        XCTAssertEqual(h[0], -0.04192685, accuracy: 2e-6); XCTAssertEqual(h[1], -0.31859258, accuracy: 2e-6)
    }

    func testRNNTwoSteps() throws {
        let h = try lastHidden(.rnn)
        XCTAssertEqual(h[0], 0.17534929, accuracy: 2e-6); XCTAssertEqual(h[1], -0.21117841, accuracy: 2e-6)
    }
}
