"""BN009: an evaluation run with the training flag fed True — and the runs that train, or evaluate with
False, or measure the batch being trained on."""

from __future__ import annotations

import pytest
from lint_snippets import HEAD, check, with_layer

TRAIN = """
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer().minimize(loss)
"""

BN009 = {
    "accuracy_on_test_data": with_layer(TRAIN, """
        for step in range(1000):
            sess.run(train_op, feed_dict={x: batch_x, y: batch_y, is_training: True})
        acc = sess.run(accuracy, feed_dict={x: mnist.test.images, y: mnist.test.labels, is_training: True})  # expect: BN009
        """),
    "positional_feed_on_validation_data": with_layer("""
        val_loss = sess.run(loss, {x: x_val, y: y_val, is_training: True})  # expect: BN009
        """),
    "tensor_eval": with_layer("""
        print(accuracy.eval(feed_dict={x: test_images, is_training: True}))  # expect: BN009
        """),
    "evaluation_function": with_layer("""
        def evaluate(sess, images):
            return sess.run(loss, {x: images, is_training: True})  # expect: BN009
        """),
    "prediction_fetch": with_layer("""
        logits = sess.run(model.logits, feed_dict={model.inputs: images, model.is_training: True})  # expect: BN009
        """),
    "shared_feed_dict": with_layer("""
        feed = {x: x_test, is_training: True}
        predictions = sess.run(prediction, feed)  # expect: BN009
        """),
    "unpacked_test_feed": with_layer("""
        test_feed = {x: mnist.test.images, y: mnist.test.labels}
        acc = sess.run(accuracy, {**test_feed, is_training: True})  # expect: BN009
        """),
    "phase_train_string_name": with_layer("""
        out = sess.run("softmax:0", feed_dict={"input:0": test_x, "phase_train:0": True})  # expect: BN009
        """),
}

FINE = {
    "evaluated_with_false": with_layer("""
        acc = sess.run(accuracy, feed_dict={x: mnist.test.images, is_training: False})
        """),
    "train_op_fetched": with_layer(TRAIN, """
        _, acc = sess.run([train_op, accuracy], feed_dict={x: x_test, is_training: True})
        """),
    "train_step_by_name": with_layer("""
        sess.run([self.train_step, self.accuracy], feed_dict={self.x: x_val, self.is_training: True})
        """),
    "update_ops_fetched": with_layer("""
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        sess.run([update_ops, accuracy], feed_dict={x: x_test, is_training: True})
        """),
    # The accuracy of the batch being trained on, in training mode: a legitimate diagnostic.
    "training_batch_accuracy": with_layer("""
        batch_x, batch_y = mnist.train.next_batch(100)
        train_acc = sess.run(accuracy, feed_dict={x: batch_x, y: batch_y, is_training: True})
        """),
    "loss_on_training_data": with_layer("""
        print(sess.run(loss, feed_dict={x: x_train, is_training: True}))
        """),
    "flag_passed_through_a_variable": with_layer("""
        acc = sess.run(accuracy, feed_dict={x: x_test, is_training: evaluate_in_train_mode})
        """),
    # A pytest test checking the training mode on purpose.
    "pytest_test_function": with_layer("""
        def test_inference_follows_the_placeholder(session):
            out = session.run(output, {is_training: True})
        """),
    "not_a_training_flag": with_layer("""
        acc = sess.run(accuracy, feed_dict={x: x_test, use_augmentation: True})
        """),
    "nothing_says_evaluation": with_layer("""
        hidden = sess.run(h, feed_dict={x: samples, is_training: True})
        """),
}


@pytest.mark.parametrize("source", BN009.values(), ids=BN009.keys())
def test_bn009_evaluation_fed_training_true(source):
    check(source)


@pytest.mark.parametrize("source", FINE.values(), ids=FINE.keys())
def test_no_bn009_for_training_runs_and_honest_evaluations(source):
    check(source)


@pytest.mark.parametrize("line, reason", [
    ("acc = sess.run(accuracy, {x: x_test, is_training: True})", "on test/validation data"),
    ("acc = sess.run(accuracy, {x: images, is_training: True})", "fetching an evaluation result"),
])
def test_bn009_says_why_it_is_an_evaluation_and_points_at_the_true(line, reason):
    (finding,) = check(with_layer(line + "  # expect: BN009\n"))
    assert reason in finding.message and finding.col == line.index("True") + 1
    assert finding.message.endswith("; feed is_training: False when evaluating")
